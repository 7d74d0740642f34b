using System.Globalization;

namespace Onward.Core.Flags;

/// <summary>
/// flagd's <c>sem_ver</c> operator (core/pkg/evaluator/semver.go): <c>[version, op, version]</c> with op one of
/// <c>= != &lt; &lt;= &gt; &gt;=</c>, <c>^</c> (same major) or <c>~</c> (same major and minor). Versions may carry a
/// leading v and may be partial (<c>1</c>, <c>1.2</c>); numbers are read as their text. SemVer 2.0 precedence: a
/// pre-release sorts before its release, build metadata is ignored. Anything invalid gives null.
/// </summary>
public static class SemanticVersionRule
{
    public static object? Evaluate(object? left, object? op, object? right) =>
        op is string symbol && Parse(right) is { } b ? Evaluate(left, symbol, b) : null;

    /// <summary>The operator with its right-hand version already parsed (a literal in the rule, parsed once at compile time); null when invalid.</summary>
    public static Func<object?, object?>? Prepare(object? op, object? right) =>
        op is string symbol && Parse(right) is { } b ? left => Evaluate(left, symbol, b) : null;

    private static object? Evaluate(object? left, string symbol, Version b)
    {
        if (Parse(left) is not { } a)
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

    private static Version? Parse(object? value)
    {
        var text = value switch
        {
            string s => s,
            double d => JsValues.NumberToText(d),
            _ => null,
        };
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        var span = text.AsSpan();
        if (span[0] is 'v' or 'V')
        {
            span = span[1..];
        }
        Span<ulong> parts = stackalloc ulong[3];
        var count = 0;
        while (true)
        {
            var digits = 0;
            while (digits < span.Length && char.IsAsciiDigit(span[digits]))
            {
                digits++;
            }
            if (digits == 0 || (digits > 1 && span[0] == '0') || !ulong.TryParse(span[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return null;
            }
            parts[count++] = number;
            span = span[digits..];
            if (count == 3 || span.IsEmpty || span[0] != '.')
            {
                break;
            }
            span = span[1..];
        }
        string[] pre = [];
        if (!span.IsEmpty && span[0] == '-')
        {
            var end = span.IndexOf('+');
            var preText = (end < 0 ? span[1..] : span[1..end]).ToString();
            pre = preText.Split('.');
            if (pre.Any(p => p.Length == 0 || !p.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') || (p.Length > 1 && p[0] == '0' && p.All(char.IsAsciiDigit))))
            {
                return null;
            }
            span = end < 0 ? [] : span[end..];
        }
        if (!span.IsEmpty)
        {
            if (span[0] != '+' || span.Length == 1 || span[1..].ToString().Split('.').Any(p => p.Length == 0 || !p.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
            {
                return null;
            }
            span = [];
        }
        // Partial versions are padded (1 → 1.0.0), but a pre-release or build needs all three parts, as in Go's semver.
        if (count < 3 && (pre.Length > 0 || text.Contains('+', StringComparison.Ordinal)))
        {
            return null;
        }
        return new Version(parts[0], count > 1 ? parts[1] : 0, count > 2 ? parts[2] : 0, pre);
    }

    private static int Compare(Version a, Version b)
    {
        var core = (a.Major, a.Minor, a.Patch).CompareTo((b.Major, b.Minor, b.Patch));
        if (core != 0)
        {
            return core;
        }
        return SemVerPrecedence.ComparePreRelease(a.PreRelease, b.PreRelease);
    }
}
