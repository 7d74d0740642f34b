using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Onward.Core.Drift;

namespace Onward.Core.Kubernetes;

/// <summary>
/// The secret values of an object (a Secret's <c>data</c> and <c>stringData</c>, the fields of a kind marked secret):
/// what Onward keeps of them is a salted SHA-256 digest per key, and <see cref="Shown"/> where the value stood. That is
/// enough to tell that a value changed in the cluster ("data.password changed"), never what it is; the values to apply
/// again come from the cluster or a new rendering of the same commit, and only when their digests match. Once masked,
/// an object is read by what was kept with it (<see cref="SecretDigests"/>), not by today's configuration, so marking
/// a kind secret or not later changes nothing about objects kept before.
/// </summary>
public static class SecretValues
{
    /// <summary>What stands for a secret value in every answer, page and log line.</summary>
    public const string Shown = "***";

    private static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

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
        var secret = IsSecret(body);
        foreach (var field in kind.Fields)
        {
            switch (At(body, field))
            {
                case null:
                    continue;
                case JsonObject map:
                    foreach (var (key, value) in map)
                    {
                        if (value is not null)
                        {
                            var keyed = secret ? "data." + key : $"{field}.{key}";
                            values[keyed] = ValueOf(keyed, new SecretPlace(field, key), value, secret && field == "data");
                        }
                    }
                    continue;
                case var node:
                    values[field] = ValueOf(field, new SecretPlace(field, null), node, false);
                    continue;
            }
        }
        return [.. values.Values];
    }

    /// <summary>The paths that hold secrets in <paramref name="body"/>'s kind, for comparisons that must leave them out.</summary>
    public static IReadOnlySet<string> Paths(JsonObject body, IReadOnlyList<SecretKind> kinds) =>
        KindOf(body, kinds) is { } kind ? kind.Fields.ToHashSet(StringComparer.Ordinal) : new HashSet<string>();

    /// <summary>A copy of <paramref name="body"/> with <see cref="Shown"/> for each secret value, and what is kept of them.</summary>
    public static (JsonObject Masked, SecretDigests? Digests) Mask(JsonObject body, IReadOnlyList<SecretKind> kinds, string salt)
    {
        var values = Of(body, kinds);
        var masked = (JsonObject)body.DeepClone();
        if (values.Count == 0)
        {
            return (masked, null);
        }
        if (IsSecret(masked) && masked["data"] is JsonObject data && masked["stringData"] is JsonObject strings)
        {
            // A key in both is stringData's once applied: data's copy would never be put back, so it is not kept.
            foreach (var key in data.Select(p => p.Key).Where(strings.ContainsKey).ToList())
            {
                data.Remove(key);
            }
        }
        foreach (var value in values)
        {
            var (parent, name) = Parent(masked, value.Place);
            parent![name] = Shown;
        }
        var fields = KindOf(body, kinds)!.Fields;
        return (masked, new SecretDigests(salt, fields,
            values.ToDictionary(v => v.Key, v => Digest(salt, v.Bytes), StringComparer.Ordinal),
            values.ToDictionary(v => v.Key, v => v.Place, StringComparer.Ordinal)));
    }

    /// <summary>A fresh salt for one object's digests.</summary>
    public static string NewSalt() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string Digest(string salt, byte[] value) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData([.. Encoding.UTF8.GetBytes(salt), .. value]));

    /// <summary>
    /// Where the live object's secret values differ from the applied ones, by digest: <c>data.password changed</c> or
    /// unset, never a value. A value the live object holds and Onward did not apply is not drift, as for other fields.
    /// </summary>
    public static List<DriftDifference> Drift(string item, SecretDigests applied, JsonObject live)
    {
        var differences = new List<DriftDifference>();
        foreach (var (key, digest) in applied.Digests.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            if (Find(live, key, applied.Places.GetValueOrDefault(key)) is not { } value)
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
    /// <paramref name="masked"/> with every kept value put back from the first of <paramref name="sources"/> (the live
    /// object, a new rendering of the same commit) that holds it with the kept digest; null with the keys none had.
    /// </summary>
    public static (JsonObject? Filled, IReadOnlyList<string> Missing) Fill(JsonObject masked, SecretDigests digests, IEnumerable<JsonObject?> sources)
    {
        var candidates = sources.OfType<JsonObject>().ToList();
        var filled = (JsonObject)masked.DeepClone();
        var missing = new List<string>();
        foreach (var (key, digest) in digests.Digests)
        {
            var place = digests.Places.GetValueOrDefault(key);
            var found = candidates.Select(c => Find(c, key, place)).FirstOrDefault(v => v is not null && Digest(digests.Salt, v.Bytes) == digest);
            if (found is null || place is null || !Put(filled, place, found))
            {
                missing.Add(key);
            }
        }
        return missing.Count == 0 ? (filled, []) : (null, missing);
    }

    /// <summary>The value kept under <paramref name="key"/> as <paramref name="source"/> holds it: a Secret's <c>data.k</c> from its stringData or data.</summary>
    private static SecretValue? Find(JsonObject source, string key, SecretPlace? place)
    {
        if (IsSecret(source) && key.StartsWith("data.", StringComparison.Ordinal))
        {
            var name = key["data.".Length..];
            return (source["stringData"] as JsonObject)?[name] is { } text ? ValueOf(key, new SecretPlace("stringData", name), text, false)
                : (source["data"] as JsonObject)?[name] is { } encoded ? ValueOf(key, new SecretPlace("data", name), encoded, true)
                : null;
        }
        if (place is null)
        {
            return null;
        }
        var node = At(source, place.Field);
        node = place.Name is null ? node : (node as JsonObject)?[place.Name];
        return node is null ? null : ValueOf(key, place, node, false);
    }

    private static bool Put(JsonObject body, SecretPlace place, SecretValue value)
    {
        var (parent, name) = Parent(body, place);
        if (parent is null)
        {
            return false;
        }
        if (IsSecret(body) && place.Field == "data")
        {
            parent[name] = Convert.ToBase64String(value.Bytes);
        }
        else if (IsSecret(body) && place.Field == "stringData")
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
            parent[name] = JsonNode.Parse(value.Json);
        }
        return true;
    }

    private static SecretValue ValueOf(string key, SecretPlace place, JsonNode node, bool base64) =>
        new(key, place, BytesOf(node, base64), ObjectFields.Text(node) ?? node.ToJsonString(), node.ToJsonString());

    private static SecretKind? KindOf(JsonObject body, IReadOnlyList<SecretKind> kinds) =>
        kinds.FirstOrDefault(k => k.Is(ObjectFields.Group(body), ObjectFields.Kind(body) ?? ""));

    private static bool IsSecret(JsonObject body) => ObjectFields.Group(body) == "" && ObjectFields.Kind(body) == "Secret";

    private static (JsonObject? Parent, string Name) Parent(JsonObject body, SecretPlace place)
    {
        if (place.Name is not null)
        {
            return (At(body, place.Field) as JsonObject, place.Name);
        }
        var dot = place.Field.LastIndexOf('.');
        return dot < 0 ? (body, place.Field) : (At(body, place.Field[..dot]) as JsonObject, place.Field[(dot + 1)..]);
    }

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
}
