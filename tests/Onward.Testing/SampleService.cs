namespace Onward.Testing;

/// <summary>
/// The test service (tests/Onward.Testing.SampleService) as a service of <c>onward.yaml</c>: its "build" copies the
/// repository into the artifact, and its behaviour comes from the file <c>behavior</c> in the repository.
/// </summary>
public static class SampleService
{
    public const string BuildCommand = "cp -r . {artifact}/ && rm -rf {artifact}/.git";

    public static string DeployCommand => $"dotnet {Paths.SampleServiceDll}";

    public const string HealthUrl = "http://127.0.0.1:{port}/healthz";

    /// <summary>Sets what the next commit's release does: <c>ok</c>, <c>crash</c>, <c>unhealthy</c>, <c>slow:MS</c>, <c>exit-later:MS</c>, <c>crash-in:ENV</c>, <c>slow-in:ENV:MS</c>; several, separated by spaces.</summary>
    public static Task BehaveAsync(this GitRepository repository, string behavior) =>
        repository.WriteAsync("behavior", behavior + "\n");

    /// <summary>A service entry for <c>onward.yaml</c>, indented under <c>services:</c>.</summary>
    public static string ServiceYaml(string name, string repository, string poll = "200ms", string verifyTimeout = "20s") => $"""
          {name}:
            repository: {repository}
            poll: {poll}
            build: {"{"} command: {"{"} run: "{BuildCommand}" {"}"} {"}"}
            deploy:
              local: {"{"} command: "{DeployCommand}", healthUrl: "{HealthUrl}" {"}"}
            verify: {"{"} timeout: {verifyTimeout} {"}"}
        """;
}
