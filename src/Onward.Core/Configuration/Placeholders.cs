using System.Text;
using System.Text.RegularExpressions;

namespace Onward.Core.Configuration;

/// <summary>
/// Fills <c>{name}</c> placeholders. Values can come from outside (a tag's name is a version), so in a shell command
/// each value is inserted as quoted text for the spot it lands in (a word of its own, inside '…', inside "…" or inside
/// $(…)): no value can end a quote, start a command or expand anything. Spots where the shell reads text twice or as
/// arithmetic (backticks, ${…}, $((…)), here-documents) cannot be quoted safely, so a placeholder there is refused when
/// the configuration is read (<see cref="UnsafeSpots"/>); the same values are in the environment as ONWARD_*.
/// </summary>
public static partial class Placeholders
{
    /// <summary>Plain substitution, for text that no shell or URL parser reads (paths in the repository, names).</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string> values) =>
        PlaceholderRegex().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);

    /// <summary>Each value percent-encoded (RFC 3986 unreserved characters stay), so it stays inside its URL part.</summary>
    public static string FillUrl(string template, IReadOnlyDictionary<string, string> values) =>
        PlaceholderRegex().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var value) ? Uri.EscapeDataString(value) : m.Value);

    /// <summary>A command for <c>/bin/sh -c</c> with every value quoted for where it stands.</summary>
    /// <exception cref="ArgumentException">A placeholder stands where it cannot be quoted (the configuration refuses those).</exception>
    public static string FillShell(string template, IReadOnlyDictionary<string, string> values)
    {
        var result = new StringBuilder(template.Length + 64);
        var last = 0;
        foreach (var spot in Spots(template))
        {
            if (!values.TryGetValue(spot.Name, out var value))
            {
                continue;
            }
            if (spot.Context is ShellContext.Unsafe)
            {
                throw new ArgumentException($"{{{spot.Name}}} stands where a shell cannot quote it ({spot.Where})", nameof(template));
            }
            result.Append(template, last, spot.Index - last).Append(Quote(value, spot.Context));
            last = spot.Index + spot.Length;
        }
        return result.Append(template, last, template.Length - last).ToString();
    }

    /// <summary>Placeholders a shell command holds where no quoting is safe, with why (for the configuration's problems).</summary>
    public static IEnumerable<(string Name, string Where)> UnsafeSpots(string template) =>
        Spots(template).Where(s => s.Context is ShellContext.Unsafe).Select(s => (s.Name, s.Where));

    /// <summary>One word for a POSIX shell: single quotes, with each ' written as '\''.</summary>
    public static string QuoteWord(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Quote(string value, ShellContext context) => context switch
    {
        ShellContext.Word => QuoteWord(value),
        ShellContext.SingleQuoted => value.Replace("'", "'\\''", StringComparison.Ordinal),
        ShellContext.DoubleQuoted => DoubleQuotedRegex().Replace(value, "\\$0"),
        _ => throw new ArgumentOutOfRangeException(nameof(context)),
    };

    private enum ShellContext { Word, SingleQuoted, DoubleQuoted, Unsafe }

    private readonly record struct Spot(string Name, int Index, int Length, ShellContext Context, string Where);

    private enum Frame { Plain, Single, Ansi, Double, Backtick, Braced, Arithmetic }

    /// <summary>
    /// Walks the command as the POSIX shell's token recognition does (XCU 2.3, 2.6), as far as quoting goes: a stack of
    /// quotes and substitutions, where $(…) starts plain text again. Comments hold no placeholder worth refusing.
    /// </summary>
    private static IEnumerable<Spot> Spots(string command)
    {
        var frames = new Stack<Frame>();
        frames.Push(Frame.Plain);
        var heredoc = false;
        var comment = false;
        var i = 0;
        while (i < command.Length)
        {
            var c = command[i];
            var frame = frames.Peek();
            if (comment)
            {
                comment = c != '\n';
                i++;
                continue;
            }
            if (c == '{' && PlaceholderRegex().Match(command, i) is { Success: true } m && m.Index == i)
            {
                var name = m.Groups[1].Value;
                yield return heredoc
                    ? new Spot(name, i, m.Length, ShellContext.Unsafe, "in a here-document")
                    : frame switch
                    {
                        Frame.Plain => new Spot(name, i, m.Length, ShellContext.Word, ""),
                        Frame.Single => new Spot(name, i, m.Length, ShellContext.SingleQuoted, ""),
                        Frame.Double => new Spot(name, i, m.Length, ShellContext.DoubleQuoted, ""),
                        Frame.Backtick => new Spot(name, i, m.Length, ShellContext.Unsafe, "inside `…` (write $(…) instead)"),
                        Frame.Braced => new Spot(name, i, m.Length, ShellContext.Unsafe, "inside ${…}"),
                        Frame.Ansi => new Spot(name, i, m.Length, ShellContext.Unsafe, "inside $'…'"),
                        _ => new Spot(name, i, m.Length, ShellContext.Unsafe, "inside $((…))"),
                    };
                i += m.Length;
                continue;
            }
            switch (frame)
            {
                case Frame.Single:
                    if (c == '\'')
                    {
                        frames.Pop();
                    }
                    i++;
                    continue;
                case Frame.Ansi:
                    if (c == '\'')
                    {
                        frames.Pop();
                    }
                    i += c == '\\' ? 2 : 1;
                    continue;
                case Frame.Braced:
                    if (c == '}')
                    {
                        frames.Pop();
                    }
                    i++;
                    continue;
                case Frame.Arithmetic:
                    if (c == ')' && At(command, i, "))"))
                    {
                        frames.Pop();
                        i += 2;
                        continue;
                    }
                    i++;
                    continue;
            }
            if (c == '\\')
            {
                i += 2;
                continue;
            }
            if (c == '$' && At(command, i, "$(("))
            {
                frames.Push(Frame.Arithmetic);
                i += 3;
                continue;
            }
            if (c == '$' && At(command, i, "$("))
            {
                frames.Push(Frame.Plain);
                i += 2;
                continue;
            }
            if (c == '$' && At(command, i, "$'") && frame != Frame.Double)
            {
                frames.Push(Frame.Ansi);
                i += 2;
                continue;
            }
            if (c == '$' && At(command, i, "${"))
            {
                frames.Push(Frame.Braced);
                i += 2;
                continue;
            }
            if (c == '`')
            {
                if (frame == Frame.Backtick)
                {
                    frames.Pop();
                }
                else
                {
                    frames.Push(Frame.Backtick);
                }
                i++;
                continue;
            }
            if (frame == Frame.Double)
            {
                if (c == '"')
                {
                    frames.Pop();
                }
                i++;
                continue;
            }
            // Plain text or a backtick's: quotes open, $(…) ends, comments and here-documents begin.
            if (c == '\'')
            {
                frames.Push(Frame.Single);
            }
            else if (c == '"')
            {
                frames.Push(Frame.Double);
            }
            else if (c == ')' && frames.Count > 1 && frame == Frame.Plain)
            {
                frames.Pop();
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(command[i - 1]) || command[i - 1] is ';' or '&' or '|' or '(' or ')'))
            {
                comment = true;
            }
            else if (c == '<' && At(command, i, "<<"))
            {
                // Everything after a here-document's operator is treated as its body: its lines expand like "…", but
                // with no closing quote to stay inside of. bash's <<< is a here-document to dash, so it counts too.
                heredoc = true;
                i += 2;
                continue;
            }
            i++;
        }
    }

    private static bool At(string text, int index, string what) => string.CompareOrdinal(text, index, what, 0, what.Length) == 0;

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex PlaceholderRegex();

    [GeneratedRegex(@"[\\""$`]")]
    private static partial Regex DoubleQuotedRegex();
}
