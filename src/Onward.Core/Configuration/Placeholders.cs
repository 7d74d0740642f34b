using System.Text;
using System.Text.RegularExpressions;

namespace Onward.Core.Configuration;

/// <summary>
/// Fills <c>{name}</c> placeholders. Values can come from outside (a tag's name is a version), so a shell command never
/// holds a value itself: each placeholder becomes a reference to an environment variable holding it
/// (<c>"${ONWARD_ARG_VERSION}"</c>), quoted for the spot it stands in. The shell expands a variable once and never reads
/// what it holds as commands, so no value can end a quote, start a command or expand anything, and a spot misjudged
/// gives at worst the variable's name as text, never a command. Spots where the shell would read the value again as
/// arithmetic, or where quoting rules differ between shells (<c>$((…))</c>, <c>$'…'</c>, here-documents), are refused
/// when the configuration is read (<see cref="UnsafeSpots"/>).
/// </summary>
public static partial class Placeholders
{
    /// <summary>Prefix of the variables <see cref="FillShell"/> puts values in.</summary>
    public const string VariablePrefix = "ONWARD_ARG_";

    /// <summary>Plain substitution, for text that no shell or URL parser reads: what a log line shows of a command.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string> values) =>
        PlaceholderRegex().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);

    /// <summary>Each value percent-encoded (RFC 3986 unreserved characters stay), so it stays inside its URL part.</summary>
    public static string FillUrl(string template, IReadOnlyDictionary<string, string> values) =>
        PlaceholderRegex().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var value) ? Uri.EscapeDataString(value) : m.Value);

    /// <summary>A command for <c>/bin/sh -c</c> that refers to each value, and the environment variables that hold them.</summary>
    /// <exception cref="ArgumentException">A placeholder stands where it cannot be filled (the configuration refuses those).</exception>
    public static ShellCommand FillShell(string template, IReadOnlyDictionary<string, string> values)
    {
        var result = new StringBuilder(template.Length + 64);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var last = 0;
        foreach (var spot in Spots(template))
        {
            if (!values.TryGetValue(spot.Name, out var value))
            {
                continue;
            }
            if (spot.Context is ShellContext.Unsafe)
            {
                throw new ArgumentException($"{{{spot.Name}}} stands where it cannot be filled ({spot.Where})", nameof(template));
            }
            var variable = VariablePrefix + spot.Name.ToUpperInvariant();
            environment[variable] = value;
            result.Append(template, last, spot.Index - last).Append(Reference(variable, spot.Context));
            last = spot.Index + spot.Length;
        }
        return new ShellCommand(result.Append(template, last, template.Length - last).ToString(), environment, Fill(template, values));
    }

    /// <summary>Placeholders a shell command holds where they cannot be filled, with why (for the configuration's problems).</summary>
    public static IEnumerable<(string Name, string Where)> UnsafeSpots(string template) =>
        Spots(template).Where(s => s.Context is ShellContext.Unsafe).Select(s => (s.Name, s.Where));

    /// <summary>One word for a POSIX shell: single quotes, with each ' written as '\''.</summary>
    public static string QuoteWord(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The variable's expansion as one word for the spot: "${V}" in plain text, ${V} inside "…", and '"${V}"' inside '…' (out of the quote and back).</summary>
    private static string Reference(string variable, ShellContext context) => context switch
    {
        ShellContext.Word => $"\"${{{variable}}}\"",
        ShellContext.DoubleQuoted => $"${{{variable}}}",
        ShellContext.SingleQuoted => $"'\"${{{variable}}}\"'",
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
                        Frame.Backtick or Frame.Braced => new Spot(name, i, m.Length, ShellContext.Word, ""),
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
}
