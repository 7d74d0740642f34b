using System.Globalization;
using System.Text.RegularExpressions;

namespace Onward.Core.Releases;

/// <summary>
/// A chart version as Helm reads it (SemVer 2.0, a leading v allowed): ordered by SemVer precedence, a pre-release
/// before its release, build metadata ignored.
/// </summary>
public sealed partial record ChartVersion(ulong Major, ulong Minor, ulong Patch, string PreRelease, string Text) : IComparable<ChartVersion>
{
    public static ChartVersion? Parse(string text)
    {
        var match = FullRegex().Match(text.Trim());
        if (!match.Success || !ulong.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !ulong.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            || !ulong.TryParse(match.Groups[3].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var patch))
        {
            return null;
        }
        return new ChartVersion(major, minor, patch, match.Groups[4].Value, text.Trim());
    }

    public int CompareTo(ChartVersion? other)
    {
        if (other is null)
        {
            return 1;
        }
        var core = (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));
        if (core != 0 || PreRelease == other.PreRelease)
        {
            return core;
        }
        return SemVerPrecedence.ComparePreRelease(PreRelease.Length == 0 ? [] : PreRelease.Split('.'), other.PreRelease.Length == 0 ? [] : other.PreRelease.Split('.'));
    }

    public static bool operator <(ChartVersion left, ChartVersion right) => left.CompareTo(right) < 0;

    public static bool operator <=(ChartVersion left, ChartVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >(ChartVersion left, ChartVersion right) => left.CompareTo(right) > 0;

    public static bool operator >=(ChartVersion left, ChartVersion right) => left.CompareTo(right) >= 0;

    /// <summary>Equal by precedence (build metadata aside).</summary>
    public bool SameAs(ChartVersion other) => CompareTo(other) == 0;

    [GeneratedRegex(@"^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-((?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$")]
    private static partial Regex FullRegex();
}

/// <summary>
/// <c>deploy.helm.version</c>: an exact chart version (<c>1.4.2</c>), or a range as Helm writes them: comparisons
/// (<c>&gt;=1.2 &lt;2</c>, AND by space or comma, OR by <c>||</c>), <c>~1.4</c> (patch releases: <c>&gt;=1.4.0 &lt;1.5.0</c>;
/// <c>~1</c> is <c>&gt;=1 &lt;2</c>), <c>^1.4</c> (same major; below 1.0 the same minor, below 0.1 the same patch),
/// wildcards (<c>1.4.x</c>, <c>1.*</c>, <c>*</c>), a partial version (<c>1.4</c> = <c>1.4.x</c>) and hyphen ranges
/// (<c>1.2 - 1.4.5</c>). A range allows pre-releases only when one of its versions has one.
/// </summary>
public sealed partial class ChartVersionRange
{
    private enum Op
    {
        Equal,
        NotEqual,
        Greater,
        GreaterOrEqual,
        Less,
        LessOrEqual,
    }

    private sealed record Comparison(Op Op, ChartVersion Version);

    private readonly List<List<Comparison>> _alternatives;

    private ChartVersionRange(string text, List<List<Comparison>> alternatives, ChartVersion? exact) =>
        (Text, _alternatives, Exact) = (text, alternatives, exact);

    public string Text { get; }

    /// <summary>The version when the text names exactly one (no operator, all three numbers).</summary>
    public ChartVersion? Exact { get; }

    public static ChartVersionRange? Parse(string text, out string? problem)
    {
        problem = null;
        var trimmed = text.Trim();
        if (ChartVersion.Parse(trimmed) is { } exact)
        {
            return new ChartVersionRange(trimmed, [[new Comparison(Op.Equal, exact)]], exact);
        }
        var alternatives = new List<List<Comparison>>();
        foreach (var part in trimmed.Split("||"))
        {
            var comparisons = new List<Comparison>();
            var hyphen = HyphenRegex().Match(part);
            var terms = hyphen.Success ? [] : JoinOperators(part.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries));
            if (hyphen.Success)
            {
                if (Partial.Parse(hyphen.Groups[1].Value) is not { } from || Partial.Parse(hyphen.Groups[2].Value) is not { } to)
                {
                    problem = $"'{part.Trim()}' is not a range of versions";
                    return null;
                }
                comparisons.Add(new Comparison(Op.GreaterOrEqual, from.Lowest));
                comparisons.Add(to.Complete ? new Comparison(Op.LessOrEqual, to.Lowest) : new Comparison(Op.Less, to.Next));
            }
            else if (terms.Count == 0)
            {
                problem = "an empty alternative";
                return null;
            }
            foreach (var term in terms)
            {
                if (Term(term) is not { } expanded)
                {
                    problem = $"'{term}' is not a version or a comparison with one";
                    return null;
                }
                comparisons.AddRange(expanded);
            }
            alternatives.Add(comparisons);
        }
        return new ChartVersionRange(trimmed, alternatives, null);
    }

    public bool Allows(ChartVersion version) => _alternatives.Any(all =>
        (version.PreRelease.Length == 0 || all.Any(c => c.Version.PreRelease.Length > 0))
        && all.All(c => Holds(c, version)));

    /// <summary>The highest of <paramref name="versions"/> the range allows, or null.</summary>
    public ChartVersion? Best(IEnumerable<ChartVersion> versions) => versions.Where(Allows).Max();

    public override string ToString() => Text;

    private static bool Holds(Comparison c, ChartVersion v) => c.Op switch
    {
        Op.Equal => v.SameAs(c.Version),
        Op.NotEqual => !v.SameAs(c.Version),
        Op.Greater => v.CompareTo(c.Version) > 0,
        Op.GreaterOrEqual => v.CompareTo(c.Version) >= 0,
        Op.Less => v.CompareTo(c.Version) < 0,
        _ => v.CompareTo(c.Version) <= 0,
    };

    /// <summary>"&gt;= 1.2" is one term: an operator written apart joins the version after it.</summary>
    private static List<string> JoinOperators(string[] tokens)
    {
        var terms = new List<string>();
        for (var i = 0; i < tokens.Length; i++)
        {
            terms.Add(OperatorRegex().IsMatch(tokens[i]) && i + 1 < tokens.Length ? tokens[i] + tokens[++i] : tokens[i]);
        }
        return terms;
    }

    private static List<Comparison>? Term(string term)
    {
        var match = TermRegex().Match(term);
        if (!match.Success || Partial.Parse(match.Groups[2].Value) is not { } version)
        {
            return null;
        }
        if (version.Any)
        {
            return match.Groups[1].Value is "" or "=" or ">=" or "=>" or "<=" or "=<" or "~" or "~>" or "^" ? [] : null;
        }
        var (low, next) = (version.Lowest, version.Next);
        return match.Groups[1].Value switch
        {
            "" or "=" => version.Any ? [] : version.Complete ? [new(Op.Equal, low)] : [new(Op.GreaterOrEqual, low), new(Op.Less, next)],
            "!=" => version.Complete ? [new(Op.NotEqual, low)] : null,
            ">" => version.Complete ? [new(Op.Greater, low)] : version.Any ? null : [new(Op.GreaterOrEqual, next)],
            ">=" or "=>" => [new(Op.GreaterOrEqual, low)],
            "<" => [new(Op.Less, low)],
            "<=" or "=<" => version.Complete ? [new(Op.LessOrEqual, low)] : version.Any ? [] : [new(Op.Less, next)],
            "~" or "~>" => [new(Op.GreaterOrEqual, low), new(Op.Less, version.Parts <= 1 ? Bump(low, 0) : Bump(low, 1))],
            _ => [new(Op.GreaterOrEqual, low), new(Op.Less, Caret(version))],
        };
    }

    /// <summary>^: the next version that changes the leftmost non-zero number given (or the last given, when all are zero).</summary>
    private static ChartVersion Caret(Partial version)
    {
        var low = version.Lowest;
        if (low.Major > 0 || version.Parts <= 1)
        {
            return Bump(low, 0);
        }
        if (low.Minor > 0 || version.Parts == 2)
        {
            return Bump(low, 1);
        }
        return Bump(low, 2);
    }

    private static ChartVersion Bump(ChartVersion v, int part) => part switch
    {
        0 => new ChartVersion(v.Major + 1, 0, 0, "", $"{v.Major + 1}.0.0"),
        1 => new ChartVersion(v.Major, v.Minor + 1, 0, "", $"{v.Major}.{v.Minor + 1}.0"),
        _ => new ChartVersion(v.Major, v.Minor, v.Patch + 1, "", $"{v.Major}.{v.Minor}.{v.Patch + 1}"),
    };

    /// <summary>A version with 0–3 numbers given (x, X or * for the rest), and its pre-release when complete.</summary>
    private sealed record Partial(int Parts, ChartVersion Lowest)
    {
        public bool Complete => Parts == 3;

        public bool Any => Parts == 0;

        /// <summary>The first version past the ones this names (1.4 → 1.5.0).</summary>
        public ChartVersion Next => Bump(Lowest, Parts - 1);

        public static Partial? Parse(string text)
        {
            if (ChartVersion.Parse(text) is { } full)
            {
                return new Partial(3, full);
            }
            var match = PartialRegex().Match(text);
            if (!match.Success)
            {
                return null;
            }
            var numbers = new List<ulong>();
            foreach (var group in new[] { match.Groups[1], match.Groups[2], match.Groups[3] })
            {
                if (!group.Success || group.Value is "x" or "X" or "*")
                {
                    break;
                }
                numbers.Add(ulong.Parse(group.Value, CultureInfo.InvariantCulture));
            }
            while (numbers.Count < 3)
            {
                numbers.Add(0);
            }
            var parts = new[] { match.Groups[1], match.Groups[2], match.Groups[3] }.TakeWhile(g => g.Success && g.Value is not ("x" or "X" or "*")).Count();
            return new Partial(parts, new ChartVersion(numbers[0], numbers[1], numbers[2], "", string.Join('.', numbers)));
        }
    }

    [GeneratedRegex(@"^\s*(\S+)\s+-\s+(\S+)\s*$")]
    private static partial Regex HyphenRegex();

    [GeneratedRegex(@"^(!=|>=|=>|<=|=<|~>|[=><~^])$")]
    private static partial Regex OperatorRegex();

    [GeneratedRegex(@"^(!=|>=|=>|<=|=<|~>|[=><~^]|)(.+)$")]
    private static partial Regex TermRegex();

    [GeneratedRegex(@"^v?(0|[1-9][0-9]*|[xX*])(?:\.(0|[1-9][0-9]*|[xX*]))?(?:\.(0|[1-9][0-9]*|[xX*]))?$")]
    private static partial Regex PartialRegex();
}
