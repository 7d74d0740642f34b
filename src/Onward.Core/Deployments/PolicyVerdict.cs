using Onward.Core.Freezes;

namespace Onward.Core.Deployments;

/// <summary>What the environment's policies say about a release: refused (<see cref="Blocked"/>), frozen for now (<see cref="Freeze"/>), or neither.</summary>
public sealed record PolicyVerdict(string? Blocked, ActiveFreeze? Freeze)
{
    public static readonly PolicyVerdict Allowed = new(null, null);
}
