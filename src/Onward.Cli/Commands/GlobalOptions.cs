using System.CommandLine;
using Onward.Cli.Client;

namespace Onward.Cli.Commands;

/// <summary>Options every API command takes: which server, which token, and JSON output for scripts.</summary>
public static class GlobalOptions
{
    public static readonly Option<string?> Server = new("--server")
    {
        Description = "The Onward server's URL (default: $ONWARD_SERVER, else http://127.0.0.1:8080)",
        Recursive = true,
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "API token (default: $ONWARD_TOKEN, else the session `onward login` kept for the server)",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the API's JSON instead of tables",
        Recursive = true,
    };

    /// <param name="stored">Whether, without a token given, the session `onward login` kept for the server is used.</param>
    public static ApiClient Client(ParseResult result, bool stored = true)
    {
        var given = result.GetValue(Server);
        var server = given ?? Environment.GetEnvironmentVariable("ONWARD_SERVER") ?? "http://127.0.0.1:8080";
        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"{(given is null ? "ONWARD_SERVER" : "--server")} '{server}' is not the URL of a server; give e.g. http://127.0.0.1:8080 or https://onward.example.com");
        }
        var token = result.GetValue(Token) is { Length: > 0 } option ? option
            : Environment.GetEnvironmentVariable("ONWARD_TOKEN") is { Length: > 0 } variable ? variable
            : stored ? StoredSessions.For(url)?.Secret : null;
        return new ApiClient(url, token);
    }
}
