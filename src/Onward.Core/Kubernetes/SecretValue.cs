namespace Onward.Core.Kubernetes;

/// <summary>One secret value of an object.</summary>
/// <param name="Key">How it is compared: as the API server keeps it (a Secret's <c>stringData.k</c> is <c>data.k</c>).</param>
/// <param name="Place">Where it stands in the object.</param>
/// <param name="Bytes">The value itself: a Secret's <c>data</c> decoded from base64, text as UTF-8, anything else as JSON.</param>
/// <param name="Text">The value as written in the object (base64 for a Secret's <c>data</c>).</param>
/// <param name="Json">The value as JSON, to put it back where it stood.</param>
public sealed record SecretValue(string Key, SecretPlace Place, byte[] Bytes, string Text, string Json);
