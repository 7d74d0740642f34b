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

    /// <summary>The environments of the pull requests' previews that live now (never written in onward.yaml).</summary>
    public IReadOnlyList<EnvironmentConfig> Previews { get; init; } = [];

    /// <summary>
    /// The environments of previews being destroyed: in no lookup (nothing is deployed there any more), only for what
    /// must still know their target (which replica runs them).
    /// </summary>
    public IReadOnlyList<EnvironmentConfig> PreviewsEnding { get; init; } = [];

    /// <summary>The environments of onward.yaml, then the previews'.</summary>
    public IEnumerable<EnvironmentConfig> AllEnvironments => Environments.Concat(Previews);

    /// <summary>An environment of onward.yaml or a live preview's.</summary>
    public EnvironmentConfig? FindEnvironment(string name) =>
        Environments.FirstOrDefault(e => e.Name == name) ?? Previews.FirstOrDefault(e => e.Name == name);

    /// <summary>The services that run in <paramref name="environment"/>: all of them, or a preview's own.</summary>
    public IEnumerable<ServiceConfig> ServicesIn(EnvironmentConfig environment) =>
        environment.Preview is { } preview ? Services.Where(s => s.Name == preview.Service) : Services;

    public ServiceConfig? FindService(string name) => Services.FirstOrDefault(s => s.Name == name);
}
