namespace Onward.Core.Kubernetes;

/// <summary>Where a secret value stands: a field (dotted path), and the key within it when the field is a mapping (keys may hold dots).</summary>
public sealed record SecretPlace(string Field, string? Name)
{
    public override string ToString() => Name is null ? Field : $"{Field}.{Name}";
}
