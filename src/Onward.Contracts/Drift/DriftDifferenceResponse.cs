namespace Onward.Contracts.Drift;

/// <param name="Item">The object, e.g. <c>Deployment/web in shop</c>.</param>
/// <param name="Field">The field that differs, e.g. <c>spec.replicas</c>; null when the object is gone.</param>
/// <param name="Applied">What Onward applied there.</param>
/// <param name="Live">What the cluster holds now; null when unset or gone.</param>
/// <param name="Secret">A secret value: <paramref name="Applied"/> and <paramref name="Live"/> are <c>***</c>, compared by digest.</param>
public sealed record DriftDifferenceResponse(string Item, string? Field, string? Applied, string? Live, bool Secret = false);
