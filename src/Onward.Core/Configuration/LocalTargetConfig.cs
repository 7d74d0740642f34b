namespace Onward.Core.Configuration;

/// <summary>
/// The <c>local</c> target. <see cref="Ports"/> pins the stable port per service; services without one get a port
/// that Onward assigns once and keeps.
/// </summary>
public sealed record LocalTargetConfig(IReadOnlyDictionary<string, int> Ports)
{
    /// <summary>Where each service's port was written in onward.yaml.</summary>
    public IReadOnlyDictionary<string, ConfigPosition> PortsAt { get; init; } = new Dictionary<string, ConfigPosition>();
}
