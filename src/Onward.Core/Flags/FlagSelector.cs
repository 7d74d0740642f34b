using System.Text.Json.Nodes;
using Onward.Core.Messages;

namespace Onward.Core.Flags;

/// <summary>
/// flagd's selector by flag set (header <c>Flagd-Selector</c>): <c>flagSetId=ID</c> keeps the flags whose set is ID
/// (<c>metadata.flagSetId</c>, the flag's own or its document's), <c>flagSetId=</c> those in no set; a flag outside
/// the selection is not found. flagd's <c>source=</c> selectors name its source files, which Onward has not: its
/// flags come from releases and the environment.
/// </summary>
public sealed record FlagSelector(string FlagSetId)
{
    public const int LongestSelector = 256;

    /// <summary>Null selector and no problem when <paramref name="text"/> is empty (every flag).</summary>
    public static (FlagSelector? Selector, string? Problem) Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }
        text = text.Trim();
        var shown = TextCut.After(text, 40);
        if (text.Length > LongestSelector || text.Any(char.IsControl))
        {
            return (null, $"invalid selector: at most {LongestSelector} printable characters, e.g. `flagSetId=checkout`");
        }
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? null : text[..equals].Trim();
        return name switch
        {
            "flagSetId" => (new FlagSelector(text[(equals + 1)..].Trim()), null),
            "source" or null => (null, $"invalid selector '{shown}': Onward selects by flag set only, e.g. `flagSetId=checkout` (a flag's set is the flagSetId in its document's metadata); its flags come from releases and the environment, not from flagd sources"),
            _ => (null, $"invalid selector '{shown}': unknown key '{name}'; write `flagSetId=ID`"),
        };
    }

    public bool Selects(FlagDefinition flag) =>
        flag.Metadata.TryGetValue("flagSetId", out var id) && id is JsonValue value
            ? (value.TryGetValue<string>(out var text) ? text : value.ToJsonString()) == FlagSetId
            : FlagSetId.Length == 0;
}
