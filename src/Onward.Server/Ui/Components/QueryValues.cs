using System.Globalization;

namespace Onward.Server.Ui.Components;

/// <summary>
/// Values a page reads from its address that must be numbers or cursors: one that is not makes the answer 400 with a
/// sentence on the page (and the page as if it were not given), never a server error.
/// </summary>
internal static class QueryValues
{
    public static long? Number(string? text, string name, HttpContext? http, ref string? problem, long least = 1, long most = long.MaxValue)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= least && value <= most)
        {
            return value;
        }
        Refuse(http, ref problem, $"`{name}` in the address is not a number from {least.ToString(CultureInfo.InvariantCulture)} to {most.ToString(CultureInfo.InvariantCulture)}; this is the first page instead.");
        return null;
    }

    public static string? Cursor(string? text, string name, Func<string, bool> valid, HttpContext? http, ref string? problem)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (text.Length <= 64 && valid(text))
        {
            return text;
        }
        Refuse(http, ref problem, $"`{name}` in the address is not a position in this list; this is the first page instead.");
        return null;
    }

    /// <summary>Answers 400 with <paramref name="sentence"/> on the page (a filter the page does not know, say).</summary>
    public static void Refuse(HttpContext? http, ref string? problem, string sentence)
    {
        problem = sentence;
        if (http is { Response.HasStarted: false })
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }
}
