using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Onward.Core.Configuration;

/// <summary>Reads the first YAML document of a text into <see cref="YamlNode"/>s, keeping line and column of every node.</summary>
public static class YamlTreeReader
{
    /// <exception cref="YamlException">The text is not well-formed YAML; the exception carries the position.</exception>
    public static YamlNode? Read(string text)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        try
        {
            parser.Consume<StreamStart>();
            if (!parser.TryConsume<DocumentStart>(out _))
            {
                return null;
            }
            var root = ReadNode(parser, anchors);
            parser.Consume<DocumentEnd>();
            return root;
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this, without a position, on some unterminated flow collections.
            var at = parser.Current?.End ?? Mark.Empty;
            throw new YamlException(at, at, "unexpected end of the file inside a { } or [ ] collection: a closing bracket is missing", e);
        }
    }

    private static YamlNode ReadNode(IParser parser, Dictionary<string, YamlNode> anchors)
    {
        var current = parser.Current ?? throw new YamlException("Unexpected end of YAML.");
        var line = (int)current.Start.Line;
        var column = (int)current.Start.Column;
        switch (current)
        {
            case AnchorAlias alias:
                parser.MoveNext();
                return anchors.TryGetValue(alias.Value.Value, out var target)
                    ? target
                    : throw new YamlException(current.Start, current.End, $"Unknown alias *{alias.Value}.");
            case Scalar scalar:
                parser.MoveNext();
                var node = new YamlScalar(line, column, scalar.Value, scalar.Style == ScalarStyle.Plain);
                Remember(scalar.Anchor, node, anchors);
                return node;
            case SequenceStart start:
                {
                    parser.MoveNext();
                    var items = new List<YamlNode>();
                    while (!parser.TryConsume<SequenceEnd>(out _))
                    {
                        items.Add(ReadNode(parser, anchors));
                    }
                    var sequence = new YamlSequence(line, column, items);
                    Remember(start.Anchor, sequence, anchors);
                    return sequence;
                }
            case MappingStart start:
                {
                    parser.MoveNext();
                    var entries = new List<KeyValuePair<YamlScalar, YamlNode>>();
                    while (!parser.TryConsume<MappingEnd>(out _))
                    {
                        var key = ReadNode(parser, anchors);
                        var value = ReadNode(parser, anchors);
                        var scalarKey = key as YamlScalar
                            ?? throw new YamlException(
                                new Mark(0, key.Line, key.Column),
                                new Mark(0, key.Line, key.Column),
                                "Mapping keys must be plain strings.");
                        entries.Add(new(scalarKey, value));
                    }
                    var mapping = new YamlMapping(line, column, entries);
                    Remember(start.Anchor, mapping, anchors);
                    return mapping;
                }
            default:
                throw new YamlException(current.Start, current.End, $"Unexpected YAML event {current.GetType().Name}.");
        }
    }

    private static void Remember(AnchorName anchor, YamlNode node, Dictionary<string, YamlNode> anchors)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node;
        }
    }
}
