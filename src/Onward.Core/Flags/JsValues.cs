using System.Globalization;

namespace Onward.Core.Flags;

/// <summary>
/// The value model flag rules work on (null, bool, double, string, <see cref="IReadOnlyList{T}"/> of values,
/// <see cref="IReadOnlyDictionary{TKey,TValue}"/> of values) and JavaScript's conversions over it, because JsonLogic
/// is defined by its JavaScript implementation (json-logic-js, json-logic-engine): truthiness, loose equality,
/// relational comparison and number/string coercion follow ECMAScript's abstract operations.
/// </summary>
public static class JsValues
{
    /// <summary>JsonLogic truthiness: like JavaScript's, except that an empty array is false.</summary>
    public static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        double d => d != 0 && !double.IsNaN(d),
        string s => s.Length > 0,
        IReadOnlyList<object?> list => list.Count > 0,
        _ => true,
    };

    public static double ToNumber(object? value) => value switch
    {
        null => 0,
        bool b => b ? 1 : 0,
        double d => d,
        string s => StringToNumber(s),
        IReadOnlyList<object?> => StringToNumber(ToText(value)),
        _ => double.NaN,
    };

    private static double StringToNumber(string s)
    {
        var trimmed = s.Trim();
        if (trimmed.Length == 0)
        {
            return 0;
        }
        if (trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && long.TryParse(trimmed[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return hex;
        }
        return trimmed switch
        {
            "Infinity" or "+Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            _ when trimmed.Any(c => c is 'e' or 'E' or '.' or '-' or '+' || char.IsAsciiDigit(c)) && trimmed.All(c => c is 'e' or 'E' or '.' or '-' or '+' || char.IsAsciiDigit(c))
                && double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => double.NaN,
        };
    }

    /// <summary>JavaScript's <c>String(value)</c>.</summary>
    public static string ToText(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        double d => NumberToText(d),
        string s => s,
        IReadOnlyList<object?> list => string.Join(",", list.Select(i => i is null ? "" : ToText(i))),
        _ => "[object Object]",
    };

    /// <summary>JavaScript's Number::toString: integers without a fraction, otherwise the shortest round-trip form.</summary>
    public static string NumberToText(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }
        if (double.IsInfinity(d))
        {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == Math.Floor(d) && Math.Abs(d) < 1e21)
        {
            return d == 0 ? "0" : d.ToString("0", CultureInfo.InvariantCulture);
        }
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('E', StringComparison.Ordinal) ? text.Replace("E", "e", StringComparison.Ordinal).Replace("e-0", "e-", StringComparison.Ordinal) : text;
    }

    /// <summary>JavaScript's <c>===</c>: same type and value; arrays and objects only when they are the same instance.</summary>
    public static bool StrictEquals(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (bool x, bool y) => x == y,
        (double x, double y) => x == y,
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        _ => ReferenceEquals(a, b) && a is not null,
    };

    /// <summary>
    /// JsonLogic's <c>==</c> as json-logic-engine (flagd-core's engine) defines it: two values that are each a string or
    /// null compare strictly; anything else compares as numbers (null is 0, booleans 0 and 1, strings parsed), so that
    /// <c>1 == "1"</c> and <c>null == 0</c> hold. Arrays and objects are equal only to themselves.
    /// </summary>
    public static bool LooseEquals(object? a, object? b)
    {
        if (a is string or null && b is string or null)
        {
            return StrictEquals(a, b);
        }
        if (a is IReadOnlyList<object?> or IReadOnlyDictionary<string, object?> || b is IReadOnlyList<object?> or IReadOnlyDictionary<string, object?>)
        {
            return ReferenceEquals(a, b);
        }
        return ToNumber(a) == ToNumber(b);
    }

    /// <summary>
    /// JavaScript's relational comparison: two strings compare by UTF-16 code units, anything else as numbers; null
    /// when either side is NaN (every comparison with it is false).
    /// </summary>
    public static int? Compare(object? a, object? b)
    {
        a = a is IReadOnlyList<object?> or IReadOnlyDictionary<string, object?> ? ToText(a) : a;
        b = b is IReadOnlyList<object?> or IReadOnlyDictionary<string, object?> ? ToText(b) : b;
        if (a is string x && b is string y)
        {
            return Math.Sign(string.CompareOrdinal(x, y));
        }
        var (m, n) = (ToNumber(a), ToNumber(b));
        return double.IsNaN(m) || double.IsNaN(n) ? null : m.CompareTo(n);
    }
}
