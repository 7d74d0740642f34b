using System.Text.RegularExpressions;

namespace Onward.Core.Configuration;

/// <summary>
/// What every section of <c>onward.yaml</c> is read with: typed values (strings with <c>${ENV}</c> expanded, numbers,
/// booleans, durations, patterns, lists), allowed keys with suggestions for typos, and the problems found, each with
/// its position and a fix. It reads no process state: environment variables and paths on this host come through the
/// functions it is given.
/// </summary>
public sealed partial class NodeReader(string file, string baseDirectory, Func<string, string?> environment, Func<string, bool>? pathExists)
{
    private readonly List<ConfigProblem> _problems = [];

    public IReadOnlyList<ConfigProblem> Problems => _problems;

    /// <summary>Relative paths (database, data directory, local repositories, kubeconfigs) resolve against this folder.</summary>
    public string BaseDirectory => baseDirectory;

    /// <summary>Whether a path on this host exists; null when nothing on the host may be looked at.</summary>
    public Func<string, bool>? PathExists => pathExists;

    public void Problem(YamlNode node, string path, string message, string hint) => Problem(node.Line, node.Column, path, message, hint);

    public void Problem(ConfigPosition at, string path, string message, string hint) => Problem(at.Line, at.Column, path, message, hint);

    public void Problem(int line, int column, string path, string message, string hint) =>
        _problems.Add(new ConfigProblem(file, line, column, path, message, hint));

    public T Invalid<T>(YamlNode node, string path, string message, string hint, T fallback)
    {
        Problem(node, path, message, hint);
        return fallback;
    }

    /// <summary>The keys of a mapping, each checked against <paramref name="allowed"/> (with a suggestion for a typo) and for duplicates.</summary>
    public KeyReader Keys(YamlMapping map, string path, params string[] allowed)
    {
        var found = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Entries)
        {
            var where = path.Length == 0 ? key.Value : $"{path}.{key.Value}";
            if (!allowed.Contains(key.Value))
            {
                Problem(key, where, $"unknown key '{key.Value}'", $"allowed here: {string.Join(", ", allowed)}{Suggest(key.Value, allowed)}");
            }
            else if (!found.TryAdd(key.Value, value))
            {
                Problem(key, where, $"duplicate key '{key.Value}'", "keep one of them");
            }
        }
        return new KeyReader(found);
    }

    /// <summary>The entries of a mapping of named things (environments, services), each name once.</summary>
    public IEnumerable<(YamlScalar Key, YamlNode Value)> UniqueEntries(YamlMapping map, string path, string what)
    {
        var seen = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Entries)
        {
            if (seen.TryGetValue(key.Value, out var first))
            {
                Problem(key, $"{path}.{key.Value}", $"duplicate {what} '{key.Value}' (first defined at line {first.Line})", $"give every {what} a unique name");
                continue;
            }
            seen[key.Value] = key;
            yield return (key, value);
        }
    }

    public YamlMapping? AsMapping(YamlNode node, string path)
    {
        if (node is YamlMapping map)
        {
            return map;
        }
        if (node is YamlScalar { IsNull: true } scalar)
        {
            return new YamlMapping(scalar.Line, scalar.Column, []);
        }
        Problem(node, path, "expected a mapping (key: value pairs)", "indent the keys below it, or write `{ key: value }`");
        return null;
    }

    public static bool IsNull(YamlNode node) => node is YamlScalar { IsNull: true };

    /// <summary>A string, with <c>${NAME}</c> references expanded; null when the node is absent or not a string.</summary>
    public YamlScalar? Text(YamlNode? node, string path)
    {
        if (node is null)
        {
            return null;
        }
        if (node is not YamlScalar scalar || scalar.IsNull)
        {
            Problem(node, path, "expected a string", "write a single value");
            return null;
        }
        return scalar with { Value = Expand(scalar, path) };
    }

    public int? Number(YamlNode? node, string path, int min, int max)
    {
        if (Text(node, path) is not { } scalar)
        {
            return null;
        }
        if (!int.TryParse(scalar.Value, out var value) || value < min || value > max)
        {
            Problem(scalar, path, $"'{scalar.Value}' is not a whole number from {min} to {max}", $"write a number between {min} and {max}");
            return null;
        }
        return value;
    }

    public bool? Flag(YamlNode? node, string path)
    {
        if (Text(node, path) is not { } scalar)
        {
            return null;
        }
        return scalar.Value switch
        {
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => Invalid<bool?>(scalar, path, $"'{scalar.Value}' is not true or false", "write `true` or `false`", null),
        };
    }

    public TimeSpan? Duration(YamlNode? node, string path)
    {
        if (Text(node, path) is not { } scalar)
        {
            return null;
        }
        if (DurationText.TryParse(scalar.Value, out var duration))
        {
            return duration;
        }
        Problem(scalar, path, $"'{scalar.Value}' is not a duration", "write a number with a unit, e.g. `500ms`, `30s`, `10m`, `2h`, `1h30m`");
        return null;
    }

    public Regex? Pattern(YamlNode? node, string path)
    {
        if (Text(node, path) is not { } scalar)
        {
            return null;
        }
        try
        {
            return new Regex(scalar.Value, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            Problem(scalar, path, $"not a valid regular expression: {e.Message}", "quote the pattern in single quotes and check brackets and escapes, e.g. '^(\\d+\\.)+\\d+$'");
            return null;
        }
    }

    public List<YamlScalar> StringList(YamlNode node, string path)
    {
        if (node is not YamlSequence sequence)
        {
            Problem(node, path, "expected a list", "write `[a, b]` or one `- item` per line");
            return [];
        }
        var result = new List<YamlScalar>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            if (Text(sequence.Items[i], $"{path}[{i}]") is { } item)
            {
                result.Add(item);
            }
        }
        return result;
    }

    /// <summary>A path on this host: <c>~/</c> is the home folder (from <c>HOME</c>), a relative path starts at <see cref="BaseDirectory"/>.</summary>
    public string HostPath(YamlScalar value, string path)
    {
        var text = value.Value;
        if (text.StartsWith("~/", StringComparison.Ordinal))
        {
            if (environment("HOME") is not { Length: > 0 } home)
            {
                Problem(value, path, "`~` stands for the home folder, but HOME is not set", "write the full path");
                return text;
            }
            text = System.IO.Path.Combine(home, text[2..]);
        }
        return System.IO.Path.GetFullPath(text, baseDirectory);
    }

    /// <summary>Names of environments and services: lowercase letters, digits and dashes.</summary>
    public void CheckName(YamlScalar name, string path, string what)
    {
        if (!NameRegex().IsMatch(name.Value))
        {
            Problem(name, path, $"'{name.Value}' is not a valid {what} name", "use lowercase letters, digits and dashes, starting with a letter (e.g. `dev-1`)");
        }
    }

    public void CheckPlaceholders(YamlScalar value, string path, params string[] allowed)
    {
        foreach (Match match in PlaceholderRegex().Matches(value.Value))
        {
            var name = match.Groups[1].Value;
            if (!allowed.Contains(name))
            {
                Problem(value, path, $"unknown placeholder {{{name}}}", $"use {string.Join(", ", allowed.Select(a => "{" + a + "}"))}");
            }
        }
    }

    /// <summary>A command run by <c>/bin/sh -c</c>: known placeholders, each where its value can be quoted.</summary>
    public void CheckShellPlaceholders(YamlScalar value, string path, params string[] allowed)
    {
        CheckPlaceholders(value, path, allowed);
        foreach (var (name, where) in Placeholders.UnsafeSpots(value.Value))
        {
            Problem(value, path, $"{{{name}}} stands {where}, where it cannot be filled safely",
                $"put it outside that, or use the environment variable \"${(name == "port" ? "PORT" : "ONWARD_" + name.ToUpperInvariant())}\"");
        }
    }

    /// <summary>"; did you mean 'x'?" for the candidate closest to <paramref name="value"/>, or nothing when none is close.</summary>
    public static string Suggest(string value, IEnumerable<string> candidates)
    {
        var best = candidates
            .Select(c => (Candidate: c, Distance: EditDistance(value.ToLowerInvariant(), c.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(1, c.Candidate.Length / 3))
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        return best.Candidate is null ? "" : $"; did you mean '{best.Candidate}'?";
    }

    public static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMapping map ? map.Entries.FirstOrDefault(e => e.Key.Value == key).Value : null;

    /// <summary>
    /// <c>${NAME}</c> references as written; the parser swaps them for a form YAML reads as plain text (see
    /// <see cref="ConfigParser"/>) and this expands the swapped form.
    /// </summary>
    public static string SwapReferences(string text) => EnvReferenceRegex().Replace(text, m => "$\u27E8" + m.Groups[1].Value + "\u27E9");

    private string Expand(YamlScalar scalar, string path) =>
        SwappedReferenceRegex().Replace(scalar.Value, match =>
        {
            var name = match.Groups[1].Value;
            var value = environment(name);
            if (value is null)
            {
                Problem(scalar, path, $"environment variable {name} is not set", $"export {name} before starting Onward, or write the value here");
                return "";
            }
            return value;
        });

    private static int EditDistance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }
        return row[b.Length];
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex PlaceholderRegex();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex EnvReferenceRegex();

    [GeneratedRegex("\\$\u27E8([A-Za-z_][A-Za-z0-9_]*)\u27E9")]
    private static partial Regex SwappedReferenceRegex();
}
