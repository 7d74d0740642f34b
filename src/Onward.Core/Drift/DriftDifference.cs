namespace Onward.Core.Drift;

/// <summary>
/// One way the live state differs from what Onward applied: a field of <see cref="Item"/> with another value
/// (<see cref="Field"/>, what was applied and what is live), or the whole object gone (<see cref="Field"/> null).
/// </summary>
/// <param name="Item">The object, e.g. <c>Deployment/web in shop</c>.</param>
public sealed record DriftDifference(string Item, string? Field, string? Applied, string? Live)
{
    public override string ToString() => Field is null
        ? $"{Item}: deleted"
        : $"{Item}: {Field} is {Live ?? "unset"}, applied {Applied ?? "unset"}";
}
