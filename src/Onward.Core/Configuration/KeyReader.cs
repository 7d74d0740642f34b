namespace Onward.Core.Configuration;

/// <summary>The values of a mapping's allowed keys, as <see cref="NodeReader.Keys"/> found them.</summary>
public sealed class KeyReader(Dictionary<string, YamlNode> found)
{
    public YamlNode? Get(string key) => found.GetValueOrDefault(key);
}
