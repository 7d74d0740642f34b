namespace Onward.Core.Configuration;

/// <summary>The whole of a validated <c>onward.yaml</c>.</summary>
public sealed record OnwardConfig(
    ServerOptions Server,
    AuthOptions Auth,
    IReadOnlyList<EnvironmentConfig> Environments,
    IReadOnlyList<ServiceConfig> Services)
{
    public EnvironmentConfig? FindEnvironment(string name) =>
        Environments.FirstOrDefault(e => e.Name == name);

    public ServiceConfig? FindService(string name) => Services.FirstOrDefault(s => s.Name == name);
}
