namespace Onward.Core.Kubernetes;

/// <summary>The salted SHA-256 digest of each secret value of one object, by key (see <see cref="SecretValues"/>).</summary>
public sealed record SecretDigests(string Salt, IReadOnlyDictionary<string, string> Digests);
