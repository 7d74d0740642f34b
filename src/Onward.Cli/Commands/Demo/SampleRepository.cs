using Onward.Integrations.Git;

namespace Onward.Cli.Commands.Demo;

/// <summary>The demo's sample service: a small HTTP server in C#, in a git repository of its own.</summary>
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

    /// <summary>The service's code; <paramref name="startup"/> runs before it listens (where the broken change breaks it).</summary>
    public static string Program(string greeting, string startup = "") => $$"""
        using System.Net;
        using System.Text;

        var port = Environment.GetEnvironmentVariable("PORT") ?? "8081";
        var version = Environment.GetEnvironmentVariable("ONWARD_VERSION") ?? "dev";
        var environment = Environment.GetEnvironmentVariable("ONWARD_ENVIRONMENT") ?? "local";
        {{startup}}
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        Console.WriteLine($"sample {version} listening on port {port} in {environment}");
        while (true)
        {
            var context = await listener.GetContextAsync();
            var body = context.Request.Url?.AbsolutePath == "/healthz"
                ? "ok"
                : $"{{greeting}} from sample {version} in {environment}";
            var bytes = Encoding.UTF8.GetBytes(body + "\n");
            context.Response.ContentType = "text/plain";
            context.Response.OutputStream.Write(bytes);
            context.Response.Close();
        }
        """;

    public async Task CreateAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path);
        await GitCli.RequireAsync(Path, ["init", "--quiet", "--initial-branch=main"], cancellationToken);
        await File.WriteAllTextAsync(System.IO.Path.Combine(Path, "sample.csproj"), Project, cancellationToken);
        await File.WriteAllTextAsync(System.IO.Path.Combine(Path, ".gitignore"), "bin/\nobj/\n", cancellationToken);
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
