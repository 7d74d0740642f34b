using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Onward.Cli.Commands;

/// <summary>
/// The command line's mistakes in words a person acts on: a value that is not of its kind says what kind it should be
/// (not a .NET type name), and a mistyped command or option suggests the nearest one there is.
/// </summary>
public static partial class ParseErrors
{
    public static IReadOnlyList<string> Describe(ParseResult parsed)
    {
        var unrecognized = parsed.Errors.Select(e => Unrecognized().Match(e.Message)).Where(m => m.Success).Select(m => m.Groups["token"].Value).ToList();
        var lines = new List<string>();
        foreach (var error in parsed.Errors)
        {
            if (unrecognized.Count > 0 && error.Message.StartsWith("Required command was not provided", StringComparison.Ordinal))
            {
                continue;
            }
            if (Unrecognized().Match(error.Message) is { Success: true } strange)
            {
                // Only the first unknown word is the mistake; the words after it were meant for the command it spoils.
                if (strange.Groups["token"].Value == unrecognized[0])
                {
                    lines.Add(UnknownWord(parsed.CommandResult.Command, strange.Groups["token"].Value));
                }
                continue;
            }
            if (error.Message.StartsWith("Required command was not provided", StringComparison.Ordinal))
            {
                var command = parsed.CommandResult.Command;
                lines.Add($"{(command is RootCommand ? "onward" : $"`{command.Name}`")} needs a command: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}");
                continue;
            }
            lines.Add(CannotParse().Match(error.Message) is { Success: true } value
                ? $"'{value.Groups["value"].Value}' is not {Kind(value.Groups["type"].Value)}: " +
                  (value.Groups["what"].Value == "option" ? $"{value.Groups["name"].Value} takes one" : $"the argument of `{value.Groups["name"].Value}` is one")
                : error.Message);
        }
        return lines;
    }

    private static string UnknownWord(Command command, string word)
    {
        // The command's own options, and those its ancestors give to every command below them (--server, --json, …).
        var ancestors = new List<Command>();
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            ancestors.Add(parent);
        }
        var names = word.StartsWith('-')
            ? command.Options.Concat(ancestors.SelectMany(a => a.Options.Where(o => o.Recursive))).SelectMany(o => o.Aliases.Prepend(o.Name))
            : command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
        var nearest = names.Select(n => (Name: n, Distance: Distance(word, n))).Where(n => n.Distance <= Math.Max(2, word.Length / 3)).OrderBy(n => n.Distance)
            .FirstOrDefault().Name;
        var where = command is RootCommand ? "onward" : $"`{command.Name}`";
        return nearest is not null
            ? $"{where} has no {(word.StartsWith('-') ? "option" : "command")} '{word}'; did you mean '{nearest}'?"
            : $"{where} has no {(word.StartsWith('-') ? "option" : "command")} '{word}'";
    }

    private static string Kind(string type) => type switch
    {
        "System.Int64" or "System.Int32" or "System.Nullable`1[System.Int64]" or "System.Nullable`1[System.Int32]" => "a whole number (e.g. 42)",
        "System.Boolean" => "true or false",
        "System.Double" => "a number",
        _ => "the kind of value it takes (see --help)",
    };

    /// <summary>Edits to make one word the other (Levenshtein), for suggesting the nearest name.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }

    [GeneratedRegex(@"^Unrecognized command or argument '(?<token>.*)'\.?$")]
    private static partial Regex Unrecognized();

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (?<what>command|option) '(?<name>[^']+)' as expected type '(?<type>[^']+)'\.?$")]
    private static partial Regex CannotParse();
}
