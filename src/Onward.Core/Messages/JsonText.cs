using System.Text.Json;

namespace Onward.Core.Messages;

/// <summary>
/// JSON whose strings are not text: an escape of half a surrogate pair (<c>"\ud800"</c>) parses, and only reading the
/// string fails (with an <see cref="InvalidOperationException"/>, not a <see cref="JsonException"/>). Bodies from outside
/// are checked with <see cref="Problem"/> before anything reads them, so that they are refused like any bad JSON.
/// </summary>
public static class JsonText
{
    public const string LoneSurrogate = "holds a lone UTF-16 surrogate (an escape from \\ud800 to \\udfff without its pair); send valid Unicode text";

    /// <returns>Null when every string and property name of <paramref name="utf8"/> is text (or the JSON is malformed, which its parser reports); else what is wrong and where.</returns>
    public static string? Problem(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                {
                    try
                    {
                        reader.GetString();
                    }
                    catch (InvalidOperationException)
                    {
                        return $"the {(reader.TokenType == JsonTokenType.PropertyName ? "property name" : "string")} at byte {reader.TokenStartIndex} {LoneSurrogate}";
                    }
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }
        return null;
    }

    /// <summary>Whether <paramref name="e"/> is System.Text.Json failing to read a string that is not text.</summary>
    public static bool IsNotText(Exception e) =>
        e is InvalidOperationException && e.Source?.StartsWith("System.Text.Json", StringComparison.Ordinal) == true && e.Message.Contains("UTF-16", StringComparison.Ordinal);
}
