namespace Onward.Storage.Database;

/// <summary>
/// States and kinds are stored by their enum names, and appear in SQL only through this one mapping, never as
/// literals, so that a renamed state cannot leave a query behind.
/// </summary>
public static class SqlNames
{
    /// <summary>The quoted name of a value, for a statement: <c>'Succeeded'</c>.</summary>
    public static string Of<T>(T value)
        where T : struct, Enum => $"'{value}'";

    /// <summary>The quoted names of several values, for <c>IN (…)</c>.</summary>
    public static string In<T>(IEnumerable<T> values)
        where T : struct, Enum => string.Join(", ", values.Select(Of));
}
