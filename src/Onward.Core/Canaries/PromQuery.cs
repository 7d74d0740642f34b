using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Onward.Core.Canaries;

/// <summary>
/// Fills the placeholders of a canary's PromQL queries. <c>{service}</c>, <c>{environment}</c>, <c>{namespace}</c>,
/// <c>{version}</c> and <c>{baseline}</c> stand inside string literals and become their content, escaped for the quote
/// that encloses them, so that no value (a tag's name is a version) can end the literal and change the query;
/// <c>{interval}</c> is a Prometheus duration that goes into range selectors as it is. In a regular expression matcher
/// (<c>=~</c>, <c>!~</c>) a value is matched as itself: its regular-expression characters are escaped first.
/// </summary>
public static partial class PromQuery
{
    public static readonly IReadOnlyList<string> Names = ["service", "environment", "namespace", "version", "baseline", "interval"];

    /// <summary>Why the template cannot be filled safely, or null when it can: each value placeholder inside "…" or '…', known names only.</summary>
    public static string? Problem(string template)
    {
        foreach (var spot in Spots(template))
        {
            if (!Names.Contains(spot.Name))
            {
                return $"unknown placeholder {{{spot.Name}}}; use {string.Join(", ", Names.Select(n => "{" + n + "}"))}";
            }
            if (spot.Name != "interval" && spot.Quote is not ('"' or '\''))
            {
                return spot.Quote == '`'
                    ? $"{{{spot.Name}}} stands in a `raw` string, where it cannot be escaped; use \"…\""
                    : $"{{{spot.Name}}} stands outside a string; write it inside quotes, e.g. service=\"{{{spot.Name}}}\"";
            }
            if (spot.Name == "interval" && spot.Quote is not null)
            {
                return "{interval} stands inside a string; it is a duration for range selectors, e.g. [{interval}]";
            }
        }
        return null;
    }

    /// <summary>The query with each placeholder filled (unknown ones are left as they are).</summary>
    /// <exception cref="ArgumentException">A value placeholder outside a string (the configuration refuses those).</exception>
    public static string Fill(string template, IReadOnlyDictionary<string, string> values, TimeSpan interval)
    {
        var result = new StringBuilder(template.Length + 64);
        var last = 0;
        foreach (var spot in Spots(template))
        {
            string? text = spot.Name == "interval" ? Duration(interval)
                : values.TryGetValue(spot.Name, out var value) ? Escape(spot.Regex ? RegexEscape(value) : value, spot.Quote ?? throw new ArgumentException($"{{{spot.Name}}} stands outside a string", nameof(template)))
                : null;
            if (text is null)
            {
                continue;
            }
            result.Append(template, last, spot.Index - last).Append(text);
            last = spot.Index + spot.Length;
        }
        return result.Append(template, last, template.Length - last).ToString();
    }

    /// <summary>A duration as Prometheus writes it: <c>500ms</c>, <c>2s</c>, <c>90s</c>, <c>1m</c>, <c>2h</c>.</summary>
    public static string Duration(TimeSpan duration)
    {
        var ms = (long)duration.TotalMilliseconds;
        return ms % 3_600_000 == 0 && ms > 0 ? $"{ms / 3_600_000}h"
            : ms % 60_000 == 0 && ms > 0 ? $"{ms / 60_000}m"
            : ms % 1000 == 0 ? $"{ms / 1000}s"
            : ms.ToString(CultureInfo.InvariantCulture) + "ms";
    }

    private static string Escape(string value, char quote)
    {
        if (quote == '`')
        {
            throw new ArgumentException("a placeholder in a raw string cannot be escaped");
        }
        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when c == quote => "\\" + c,
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return text.ToString();
    }

    /// <summary>RE2's special characters, each preceded by a backslash, so that the value matches only itself.</summary>
    private static string RegexEscape(string value)
    {
        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (@"\.+*?()|[]{}^$".Contains(c, StringComparison.Ordinal))
            {
                text.Append('\\');
            }
            text.Append(c);
        }
        return text.ToString();
    }

    /// <param name="Regex">The literal is a regular expression matcher's (after <c>=~</c> or <c>!~</c>).</param>
    private sealed record Spot(string Name, int Index, int Length, char? Quote, bool Regex);

    /// <summary>Each placeholder with the quote of the string literal it stands in (null: outside any), skipping comments.</summary>
    private static IEnumerable<Spot> Spots(string template)
    {
        char? quote = null;
        var regex = false;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (quote is null)
            {
                if (c == '#')
                {
                    var end = template.IndexOf('\n', i);
                    i = end < 0 ? template.Length : end;
                    continue;
                }
                if (c is '"' or '\'' or '`')
                {
                    quote = c;
                    var before = template[..i].TrimEnd();
                    regex = before.EndsWith("=~", StringComparison.Ordinal) || before.EndsWith("!~", StringComparison.Ordinal);
                    continue;
                }
            }
            else if (c == '\\' && quote != '`')
            {
                i++;
                continue;
            }
            else if (c == quote)
            {
                quote = null;
                continue;
            }
            if (c == '{' && PlaceholderRegex().Match(template, i) is { Success: true } m && m.Index == i)
            {
                yield return new Spot(m.Groups[1].Value, i, m.Length, quote, quote is not null && regex);
                i += m.Length - 1;
            }
        }
    }

    [GeneratedRegex(@"\{([a-z]+)\}")]
    private static partial Regex PlaceholderRegex();
}
