namespace Onward.Core.Messages;

/// <summary>
/// Text cut short for a message, a log line or an API that limits its fields, marked with "…", never between the two
/// halves of a surrogate pair (a character outside the Basic Multilingual Plane, such as an emoji, stays whole or goes).
/// </summary>
public static class TextCut
{
    /// <summary>The first <paramref name="keep"/> characters and "…" when <paramref name="text"/> is longer, else the text.</summary>
    public static string After(string text, int keep) => text.Length <= keep ? text : text[..Boundary(text, keep)] + "…";

    /// <summary>The text fitted into <paramref name="longest"/> characters, "…" included, when it is longer.</summary>
    public static string Within(string text, int longest) => text.Length <= longest ? text : text[..Boundary(text, longest - 1)] + "…";

    private static int Boundary(string text, int at) => at > 0 && char.IsHighSurrogate(text[at - 1]) ? at - 1 : at;
}
