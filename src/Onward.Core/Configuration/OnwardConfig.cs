namespace Onward.Core.Configuration;

/// <summary>The whole of a validated <c>onward.yaml</c>.</summary>
public sealed record OnwardConfig(
    ServerOptions Server,
    AuthOptions Auth,
    IReadOnlyList<EnvironmentConfig> Environments,
    IReadOnlyList<ServiceConfig> Services)
{
    /// <summary>The shared secret of each webhook provider that is set up (<c>github</c>, <c>gitlab</c>, <c>gitea</c>, <c>bitbucket</c>).</summary>
    public IReadOnlyDictionary<string, string> WebhookSecrets { get; init; } = new Dictionary<string, string>();

    /// <summary>Settings per registry host (<c>host</c> or <c>host:port</c>).</summary>
    public IReadOnlyList<RegistryConfig> Registries { get; init; } = [];

    /// <summary>Where notifications go (<c>notifications</c>), by name.</summary>
    public IReadOnlyList<NotificationConfig> Notifications { get; init; } = [];

    public EnvironmentConfig? FindEnvironment(string name) =>
        Environments.FirstOrDefault(e => e.Name == name);

    public ServiceConfig? FindService(string name) => Services.FirstOrDefault(s => s.Name == name);
}
