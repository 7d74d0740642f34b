namespace Onward.Core.Kubernetes;

/// <summary>
/// What is kept of one object's secret values (see <see cref="SecretValues"/>): the fields that were masked, and per key
/// its salted SHA-256 digest and where it stood.
/// </summary>
public sealed record SecretDigests(string Salt, IReadOnlyList<string> Fields, IReadOnlyDictionary<string, string> Digests, IReadOnlyDictionary<string, SecretPlace> Places);
