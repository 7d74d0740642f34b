namespace Onward.Core.Kubernetes;

/// <summary>
/// A kind whose fields hold secret values: Kubernetes' own Secret (<c>data</c>, <c>stringData</c>), and any kind a
/// service marks with <c>deploy.secrets</c> (say a custom resource carrying a password in <c>spec.password</c>).
/// </summary>
/// <param name="Group">The API group, empty for the core group.</param>
/// <param name="Fields">Dotted paths; a mapping there holds one secret value per key, anything else is one value.</param>
public sealed record SecretKind(string Group, string Kind, IReadOnlyList<string> Fields)
{
    public static readonly SecretKind Secret = new("", "Secret", ["data", "stringData"]);

    /// <summary>Secret, then the service's own kinds.</summary>
    public static IReadOnlyList<SecretKind> With(IEnumerable<SecretKind> marked) => [Secret, .. marked];

    public bool Is(string group, string kind) => Group == group && Kind == kind;

    /// <summary>
    /// A short name for a set of kinds and their fields, kept with manifests masked by them: a set that changed later
    /// (a kind marked secret since) has manifests kept before masked again at start-up.
    /// </summary>
    public static string Signature(IEnumerable<SecretKind> kinds) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n',
            kinds.Select(k => $"{k.Group}/{k.Kind}:{string.Join(',', k.Fields.Order(StringComparer.Ordinal))}").Order(StringComparer.Ordinal)))))[..16];
}
