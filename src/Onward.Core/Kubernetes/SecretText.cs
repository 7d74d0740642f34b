using System.Text;
using System.Text.Json.Nodes;

namespace Onward.Core.Kubernetes;

/// <summary>
/// Masks known secret values in text from the cluster or a command (a container's log, an event's message, an admission
/// webhook's refusal, a renderer's error output): each value, its base64 form and each line of a value of several lines
/// becomes <c>***</c>. Values shorter than <see cref="ShortestMasked"/> characters are left, since masking every "1" or
/// "yes" in a log would hide the log, not the secret.
/// </summary>
public sealed class SecretText
{
    public const int ShortestMasked = 4;
    private const int ShortestLine = 8;
    private static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);
    private readonly List<string> _values;

    public SecretText(IEnumerable<string> values)
    {
        var all = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            Add(all, value);
            if (value.Length >= ShortestMasked)
            {
                all.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(value)));
            }
        }
        // Longest first, so that a value inside another is not masked half.
        _values = [.. all.OrderByDescending(v => v.Length)];
    }

    public static readonly SecretText None = new([]);

    /// <summary>The secret values of <paramref name="objects"/> (as written and, for a Secret's data, decoded).</summary>
    public static SecretText Of(IEnumerable<JsonObject> objects, IReadOnlyList<SecretKind> kinds) =>
        new(objects.SelectMany(o => SecretValues.Of(o, kinds)).SelectMany(v => Decoded(v.Bytes) is { } text ? [v.Text, text] : new[] { v.Text }));

    public bool IsEmpty => _values.Count == 0;

    public string Mask(string text)
    {
        if (_values.Count == 0 || text.Length == 0)
        {
            return text;
        }
        var result = new StringBuilder(text);
        foreach (var value in _values)
        {
            result.Replace(value, SecretValues.Shown);
        }
        return result.ToString();
    }

    public string? MaskOrNull(string? text) => text is null ? null : Mask(text);

    private static void Add(HashSet<string> all, string value)
    {
        if (value.Length >= ShortestMasked)
        {
            all.Add(value);
        }
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            foreach (var line in value.Split('\n').Select(l => l.Trim()).Where(l => l.Length >= ShortestLine))
            {
                all.Add(line);
            }
        }
    }

    private static string? Decoded(byte[] bytes)
    {
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
