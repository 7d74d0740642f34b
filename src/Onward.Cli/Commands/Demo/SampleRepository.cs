using Onward.Integrations.Git;

namespace Onward.Cli.Commands.Demo;

/// <summary>The demo's sample service: a small HTTP server in C# (plain sockets, no packages), in a git repository of its own.</summary>
public sealed class SampleRepository(string path)
{
    public string Path { get; } = path;

    public const string Project = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <AssemblyName>sample</AssemblyName>
            <InvariantGlobalization>true</InvariantGlobalization>
            <SatelliteResourceLanguages>en</SatelliteResourceLanguages>
          </PropertyGroup>
        </Project>
        """;

    /// <summary>The flags the sample ships with each release (flagd's format): "shout" is off.</summary>
    public const string Flags = """
        {
          "flags": {
            "shout": { "state": "ENABLED", "variants": { "on": true, "off": false }, "defaultVariant": "off" }
          }
        }
        """;

    /// <summary>The service's code; <paramref name="startup"/> runs before it listens (where the broken change breaks it).</summary>
    public static string Program(string greeting, string startup = "") => $$"""
        using System.Net;
        using System.Net.Sockets;
        using System.Text;

        var port = int.Parse(Environment.GetEnvironmentVariable("PORT") ?? "8081");
        // The environment's flags, over OFREP: the flag "shout" makes the greeting loud.
        var flagsUrl = Environment.GetEnvironmentVariable("ONWARD_FLAGS_URL");
        using var flags = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        async Task<bool> ShoutAsync()
        {
            if (flagsUrl is null)
            {
                return false;
            }
            try
            {
                using var content = new StringContent("{\"context\": {\"targetingKey\": \"visitor\"} }", Encoding.UTF8, "application/json");
                using var answer = await flags.PostAsync($"{flagsUrl}/ofrep/v1/evaluate/flags/shout", content);
                return (await answer.Content.ReadAsStringAsync()).Contains("\"value\":true", StringComparison.Ordinal);
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }
        var version = Environment.GetEnvironmentVariable("ONWARD_VERSION") ?? "dev";
        var environment = Environment.GetEnvironmentVariable("ONWARD_ENVIRONMENT") ?? "local";
        {{startup}}
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Console.WriteLine($"sample {version} listening on port {port} in {environment}");
        while (true)
        {
            var client = await listener.AcceptTcpClientAsync();
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    var stream = client.GetStream();
                    var reader = new StreamReader(stream, Encoding.ASCII);
                    var requestLine = await reader.ReadLineAsync() ?? "";
                    while (!string.IsNullOrEmpty(await reader.ReadLineAsync()))
                    {
                    }
                    var path = requestLine.Split(' ').ElementAtOrDefault(1) ?? "/";
                    var body = path == "/healthz" ? "ok\n" : $"{{greeting}} from sample {version} in {environment}\n";
                    if (path != "/healthz" && await ShoutAsync())
                    {
                        body = body.ToUpperInvariant();
                    }
                    var response = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(response));
                }
            });
        }
        """;

    public async Task CreateAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path);
        await GitCli.RequireAsync(Path, ["init", "--quiet", "--initial-branch=main"], cancellationToken);
        await File.WriteAllTextAsync(System.IO.Path.Combine(Path, "sample.csproj"), Project, cancellationToken);
        await File.WriteAllTextAsync(System.IO.Path.Combine(Path, ".gitignore"), "bin/\nobj/\n", cancellationToken);
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "flags"));
        await File.WriteAllTextAsync(System.IO.Path.Combine(Path, "flags", "flags.json"), Flags, cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> on a new branch made from main, then goes back to main.</summary>
    public async Task<T> OnBranchAsync<T>(string branch, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await GitCli.RequireAsync(Path, ["checkout", "--quiet", "-b", branch, "main"], cancellationToken);
        try
        {
            return await work();
        }
        finally
        {
            await GitCli.RequireAsync(Path, ["checkout", "--quiet", "main"], cancellationToken);
        }
    }

    /// <summary>Writes the program and commits it; returns the commit's full SHA.</summary>
    public async Task<string> CommitAsync(string program, string message, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(System.IO.Path.Combine(Path, "Program.cs"), program, cancellationToken);
        await GitCli.RequireAsync(Path, ["add", "-A"], cancellationToken);
        await GitCli.RequireAsync(Path,
            ["-c", "user.name=Onward Demo", "-c", "user.email=demo@onward.invalid", "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", message],
            cancellationToken);
        return (await GitCli.RequireAsync(Path, ["rev-parse", "HEAD"], cancellationToken)).Trim();
    }
}
