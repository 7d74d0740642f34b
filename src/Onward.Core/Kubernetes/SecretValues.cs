using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Onward.Core.Drift;

namespace Onward.Core.Kubernetes;

/// <summary>
/// The secret values of an object (a Secret's <c>data</c> and <c>stringData</c>, the fields of a kind marked secret):
/// what Onward keeps of them is a salted SHA-256 digest per key, and <see cref="Shown"/> where the value stood. That is
/// enough to tell that a value changed in the cluster ("data.password changed"), never what it is; the values to apply
/// again come from the cluster or a new rendering of the same commit, and only when their digests match.
/// </summary>
public static class SecretValues
{
    /// <summary>What stands for a secret value in every answer, page and log line.</summary>
    public const string Shown = "***";

    /// <summary>
    /// Each secret value of <paramref name="body"/>, keyed as the API server keeps it: a Secret's <c>stringData.k</c>
    /// becomes <c>data.k</c> once applied, so both are keyed <c>data.k</c> (and <c>stringData</c> wins, as it does there).
    /// </summary>
    public static IReadOnlyList<SecretValue> Of(JsonObject body, IReadOnlyList<SecretKind> kinds)
    {
        if (KindOf(body, kinds) is not { } kind)
        {
            return [];
        }
        var values = new Dictionary<string, SecretValue>(StringComparer.Ordinal);
        var secret = kind.Is("", "Secret");
        foreach (var field in kind.Fields)
        {
            var node = At(body, field);
            if (node is null)
            {
                continue;
            }
            if (node is JsonObject map)
            {
                foreach (var (key, value) in map)
                {
                    if (value is null)
                    {
                        continue;
                    }
                    var keyed = secret ? "data." + key : $"{field}.{key}";
                    values[keyed] = new SecretValue(keyed, $"{field}.{key}", BytesOf(value, secret && field == "data"), TextOf(value), value.ToJsonString());
                }
                continue;
            }
            values[field] = new SecretValue(field, field, BytesOf(node, false), TextOf(node), node.ToJsonString());
        }
        return [.. values.Values];
    }

    /// <summary>Whether <paramref name="body"/> is of a kind whose fields hold secrets.</summary>
    public static bool Bears(JsonObject body, IReadOnlyList<SecretKind> kinds) => KindOf(body, kinds) is not null;

    /// <summary>The paths that hold secrets in <paramref name="body"/>'s kind, for comparisons that must leave them out.</summary>
    public static IReadOnlySet<string> Paths(JsonObject body, IReadOnlyList<SecretKind> kinds) =>
        KindOf(body, kinds) is { } kind ? kind.Fields.ToHashSet(StringComparer.Ordinal) : new HashSet<string>();

    /// <summary>A copy of <paramref name="body"/> with <see cref="Shown"/> for each secret value, and the values' digests.</summary>
    public static (JsonObject Masked, SecretDigests? Digests) Mask(JsonObject body, IReadOnlyList<SecretKind> kinds, string salt)
    {
        var values = Of(body, kinds);
        var masked = (JsonObject)body.DeepClone();
        if (values.Count == 0)
        {
            return (masked, null);
        }
        foreach (var field in KindOf(body, kinds)!.Fields)
        {
            var parent = field.Contains('.', StringComparison.Ordinal) ? At(masked, field[..field.LastIndexOf('.')]) as JsonObject : masked;
            var name = field[(field.LastIndexOf('.') + 1)..];
            switch (parent?[name])
            {
                case JsonObject map:
                    foreach (var key in map.Select(p => p.Key).ToList())
                    {
                        map[key] = Shown;
                    }
                    break;
                case JsonNode:
                    parent[name] = Shown;
                    break;
            }
        }
        return (masked, new SecretDigests(salt, values.ToDictionary(v => v.Key, v => Digest(salt, v.Bytes), StringComparer.Ordinal)));
    }

    /// <summary>A fresh salt for one object's digests.</summary>
    public static string NewSalt() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string Digest(string salt, byte[] value) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData([.. Encoding.UTF8.GetBytes(salt), .. value]));

    /// <summary>
    /// Where the live object's secret values differ from the applied ones, by digest: <c>data.password changed</c> or
    /// unset, never a value. A value the live object holds and Onward did not apply is not drift, as for other fields.
    /// </summary>
    public static List<DriftDifference> Drift(string item, SecretDigests applied, JsonObject live, IReadOnlyList<SecretKind> kinds)
    {
        var values = Of(live, kinds).ToDictionary(v => v.Key, StringComparer.Ordinal);
        var differences = new List<DriftDifference>();
        foreach (var (key, digest) in applied.Digests.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            if (!values.TryGetValue(key, out var value))
            {
                differences.Add(new DriftDifference(item, key, Shown, null) { Secret = true });
                continue;
            }
            var now = Digest(applied.Salt, value.Bytes);
            if (now != digest)
            {
                differences.Add(new DriftDifference(item, key, Shown, Shown) { Secret = true, LiveDigest = now });
            }
        }
        return differences;
    }

    /// <summary>
    /// <paramref name="masked"/> with its secret values put back from the first of <paramref name="sources"/> (the live
    /// object, a new rendering of the same commit) whose value has the kept digest; null with the keys no source had.
    /// </summary>
    public static (JsonObject? Filled, IReadOnlyList<string> Missing) Fill(
        JsonObject masked, SecretDigests digests, IEnumerable<JsonObject?> sources, IReadOnlyList<SecretKind> kinds)
    {
        var candidates = sources.OfType<JsonObject>().Select(s => Of(s, kinds).ToDictionary(v => v.Key, StringComparer.Ordinal)).ToList();
        var filled = (JsonObject)masked.DeepClone();
        var missing = new List<string>();
        foreach (var slot in Of(masked, kinds))
        {
            if (!digests.Digests.TryGetValue(slot.Key, out var digest))
            {
                missing.Add(slot.Key);
                continue;
            }
            var found = candidates.Select(c => c.GetValueOrDefault(slot.Key)).FirstOrDefault(v => v is not null && Digest(digests.Salt, v.Bytes) == digest);
            if (found is null)
            {
                missing.Add(slot.Key);
                continue;
            }
            Put(filled, slot.Path, found);
        }
        return missing.Count == 0 ? (filled, []) : (null, missing);
    }

    private static void Put(JsonObject body, string path, SecretValue value)
    {
        var parent = (JsonObject)At(body, path[..path.LastIndexOf('.')])!;
        var name = path[(path.LastIndexOf('.') + 1)..];
        if (path.StartsWith("data.", StringComparison.Ordinal) && KindName(body) == ("", "Secret"))
        {
            parent[name] = Convert.ToBase64String(value.Bytes);
        }
        else if (path.StartsWith("stringData.", StringComparison.Ordinal) && KindName(body) == ("", "Secret"))
        {
            try
            {
                parent[name] = Strict.GetString(value.Bytes);
            }
            catch (DecoderFallbackException)
            {
                // Bytes that are no text (the live value of a key first written as stringData) go back as data.
                parent.Remove(name);
                if (body["data"] is not JsonObject data)
                {
                    body["data"] = data = [];
                }
                data[name] = Convert.ToBase64String(value.Bytes);
            }
        }
        else
        {
            parent[name] = JsonNode.Parse(Encoding.UTF8.GetBytes(value.Json));
        }
    }

    private static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

    private static SecretKind? KindOf(JsonObject body, IReadOnlyList<SecretKind> kinds)
    {
        var (group, kind) = KindName(body);
        return kinds.FirstOrDefault(k => k.Is(group, kind));
    }

    private static (string Group, string Kind) KindName(JsonObject body) => (ObjectFields.Group(body), ObjectFields.Kind(body) ?? "");

    private static JsonNode? At(JsonObject body, string path)
    {
        JsonNode? node = body;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject map ? map[part] : null;
        }
        return node;
    }

    /// <summary>A Secret's <c>data</c> value is base64: its digest is of the bytes, as <c>stringData</c>'s is of its text.</summary>
    private static byte[] BytesOf(JsonNode value, bool base64)
    {
        var text = ObjectFields.Text(value);
        if (text is null)
        {
            return Encoding.UTF8.GetBytes(value.ToJsonString());
        }
        if (base64)
        {
            var buffer = new byte[text.Length];
            if (Convert.TryFromBase64String(text, buffer, out var written))
            {
                return buffer[..written];
            }
        }
        return Encoding.UTF8.GetBytes(text);
    }

    private static string TextOf(JsonNode value) => ObjectFields.Text(value) ?? value.ToJsonString();
}
