namespace Onward.Testing;

/// <summary>Writes <c>onward.yaml</c> files for tests.</summary>
public static class TestConfig
{
    /// <summary>The database line of every <see cref="Yaml"/>, for tests that swap it.</summary>
    public const string SqliteDatabase = "database: sqlite:onward.db";

    /// <param name="environments">Lines under <c>environments:</c>, e.g. <c>dev-1: { target: { local: {} }, policy: { autoDeploy: main } }</c>.</param>
    /// <param name="services">Service entries, e.g. from <see cref="SampleService.ServiceYaml"/>.</param>
    public static string Yaml(int port, IEnumerable<string> environments, IEnumerable<string> services, string extra = "") =>
        $"""
        server:
          listen: http://127.0.0.1:{port}
          {SqliteDatabase}
          dataDir: .onward
        environments:
        {string.Join("\n", environments.Select(e => "  " + e))}
        services:
        {string.Join("\n", services)}
        {extra}

        """;

    /// <summary>Top-level YAML setting up all four webhook receivers with one secret.</summary>
    public static string Webhooks(string secret) =>
        $"webhooks: {{ github: {{ secret: \"{secret}\" }}, gitlab: {{ secret: \"{secret}\" }}, gitea: {{ secret: \"{secret}\" }}, bitbucket: {{ secret: \"{secret}\" }} }}";

    public static string AutoEnvironment(string name) => $"{name}: {{ target: {{ local: {{}} }}, policy: {{ autoDeploy: main }} }}";

    public static string ManualEnvironment(string name, string policy = "{}") => $"{name}: {{ target: {{ local: {{}} }}, policy: {policy} }}";
}
