namespace Onward.Core.Configuration;

/// <summary>Where in <c>onward.yaml</c> a value was written, so that checks across sections can point at it.</summary>
public readonly record struct ConfigPosition(int Line, int Column)
{
    public static ConfigPosition Of(YamlNode node) => new(node.Line, node.Column);
}
