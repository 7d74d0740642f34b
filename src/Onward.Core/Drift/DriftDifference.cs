namespace Onward.Core.Drift;

/// <summary>
/// One way the live state differs from what Onward applied: a field of <see cref="Item"/> with another value
/// (<see cref="Field"/>, what was applied and what is live), or the whole object gone (<see cref="Field"/> null).
/// </summary>
/// <param name="Item">The object, e.g. <c>Deployment/web in shop</c>.</param>
public sealed record DriftDifference(string Item, string? Field, string? Applied, string? Live)
{
    /// <summary>A secret value: <see cref="Applied"/> and <see cref="Live"/> are only ever <c>***</c> (or unset).</summary>
    public bool Secret { get; init; }

    /// <summary>The salted digest of a secret's live value: a second change to the same key is a new finding. Never shown.</summary>
    public string? LiveDigest { get; init; }

    public override string ToString() => Field is null
        ? $"{Item}: deleted"
        : Secret
            ? $"{Item}: {Field} {(Live is null ? "is unset" : "changed")} (a secret value, not shown)"
            : $"{Item}: {Field} is {Live ?? "unset"}, applied {Applied ?? "unset"}";
}
