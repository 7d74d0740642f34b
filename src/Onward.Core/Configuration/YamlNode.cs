namespace Onward.Core.Configuration;

/// <summary>
/// A YAML node with its position. Onward reads YAML into this small tree itself (rather than YamlDotNet's
/// representation model) so that duplicate keys become reported problems instead of one exception that hides the rest.
/// </summary>
public abstract record YamlNode(int Line, int Column);

public sealed record YamlScalar(int Line, int Column, string Value, bool Plain) : YamlNode(Line, Column)
{
    /// <summary>A plain <c>~</c>, <c>null</c> or empty scalar.</summary>
    public bool IsNull => Plain && Value is "" or "~" or "null" or "Null" or "NULL";
}

public sealed record YamlMapping(int Line, int Column, IReadOnlyList<KeyValuePair<YamlScalar, YamlNode>> Entries)
    : YamlNode(Line, Column);

public sealed record YamlSequence(int Line, int Column, IReadOnlyList<YamlNode> Items) : YamlNode(Line, Column);
