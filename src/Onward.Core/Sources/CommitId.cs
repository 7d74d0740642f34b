using Onward.Core.Messages;
namespace Onward.Core.Sources;

/// <summary>
/// A git object id written out in full: 40 hexadecimal digits (SHA-1) or 64 (SHA-256). Commits that come from outside
/// (webhooks, the API) are accepted only in this form, so that nothing else (an option such as <c>--upload-pack=…</c>,
/// a revision expression) ever reaches git as a commit.
/// </summary>
public static class CommitId
{
    public static bool IsFull(string? text) => text is { Length: 40 or 64 } && text.All(char.IsAsciiHexDigit);

    /// <summary>All zeros: what providers send as the old or new commit of a created or deleted ref.</summary>
    public static bool IsZero(string? text) => IsFull(text) && text!.All(c => c == '0');

    /// <summary>What to tell a caller whose <paramref name="field"/> is not a full object id.</summary>
    public static string Problem(string field, string? given) =>
        $"`{field}` must be a full commit id (40 or 64 hexadecimal digits), not '{Shorten(given)}'";

    internal static string Shorten(string? text) => text is null ? "null" : TextCut.After(text, 80);
}
