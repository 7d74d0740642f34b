namespace Onward.Core.Configuration;

/// <summary>
/// The <c>local</c> target. <see cref="Ports"/> pins the stable port per service; services without one get a port
/// that Onward assigns once and keeps.
/// </summary>
public sealed record LocalTargetConfig(IReadOnlyDictionary<string, int> Ports);
