using System.Globalization;
using System.Text.RegularExpressions;

namespace Onward.Core.Flags;

/// <summary>
/// flagd's <c>sem_ver</c> operator (core/pkg/evaluator/semver.go): <c>[version, op, version]</c> with op one of
/// <c>= != &lt; &lt;= &gt; &gt;=</c>, <c>^</c> (same major) or <c>~</c> (same major and minor). Versions may carry a
/// leading v and may be partial (<c>1</c>, <c>1.2</c>); numbers are read as their text. SemVer 2.0 precedence: a
/// pre-release sorts before its release, build metadata is ignored. Anything invalid gives null.
/// </summary>
public static partial class SemanticVersionRule
{
    public static object? Evaluate(object? left, object? op, object? right)
    {
        if (Parse(left) is not { } a || Parse(right) is not { } b || op is not string symbol)
        {
            return null;
        }
        return symbol switch
        {
            "=" => Compare(a, b) == 0,
            "!=" => Compare(a, b) != 0,
            "<" => Compare(a, b) < 0,
            "<=" => Compare(a, b) <= 0,
            ">" => Compare(a, b) > 0,
            ">=" => Compare(a, b) >= 0,
            "^" => a.Major == b.Major,
            "~" => a.Major == b.Major && a.Minor == b.Minor,
            _ => null,
        };
    }

    private sealed record Version(ulong Major, ulong Minor, ulong Patch, string[] PreRelease);

    [GeneratedRegex(@"^[vV]?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$")]
    private static partial Regex Pattern();

    private static Version? Parse(object? value)
    {
        var text = value switch
        {
            string s => s,
            double d => JsValues.NumberToText(d),
            _ => null,
        };
        if (text is null || Pattern().Match(text) is not { Success: true } m)
        {
            return null;
        }
        // Partial versions are padded (1 → 1.0.0), but a pre-release or build needs all three parts, as in Go's semver.
        if ((!m.Groups[2].Success || !m.Groups[3].Success) && (m.Groups[4].Success || text.Contains('+', StringComparison.Ordinal)))
        {
            return null;
        }
        static ulong Part(Group g) => g.Success ? ulong.Parse(g.Value, CultureInfo.InvariantCulture) : 0;
        var pre = m.Groups[4].Success ? m.Groups[4].Value.Split('.') : [];
        if (pre.Any(p => p.Length > 1 && p[0] == '0' && p.All(char.IsAsciiDigit)))
        {
            return null;
        }
        return new Version(Part(m.Groups[1]), Part(m.Groups[2]), Part(m.Groups[3]), pre);
    }

    private static int Compare(Version a, Version b)
    {
        var core = (a.Major, a.Minor, a.Patch).CompareTo((b.Major, b.Minor, b.Patch));
        if (core != 0)
        {
            return core;
        }
        if (a.PreRelease.Length == 0 || b.PreRelease.Length == 0)
        {
            return a.PreRelease.Length == b.PreRelease.Length ? 0 : a.PreRelease.Length == 0 ? 1 : -1;
        }
        for (var i = 0; i < Math.Min(a.PreRelease.Length, b.PreRelease.Length); i++)
        {
            var (x, y) = (a.PreRelease[i], b.PreRelease[i]);
            var (xNumeric, yNumeric) = (x.All(char.IsAsciiDigit), y.All(char.IsAsciiDigit));
            var order = (xNumeric, yNumeric) switch
            {
                (true, true) => x.Length != y.Length ? x.Length.CompareTo(y.Length) : string.CompareOrdinal(x, y),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(x, y),
            };
            if (order != 0)
            {
                return Math.Sign(order);
            }
        }
        return a.PreRelease.Length.CompareTo(b.PreRelease.Length);
    }
}
