namespace Onward.Testing;

/// <summary>
/// The spans of an OTLP/HTTP protobuf export request (<c>ExportTraceServiceRequest</c>), read field by field from the
/// wire format as opentelemetry-proto's trace.proto numbers them: resource_spans = 1, scope_spans = 2, spans = 2;
/// a span's trace_id = 1, span_id = 2, parent_span_id = 4, name = 5.
/// </summary>
public static class OtlpSpans
{
    public sealed record Span(string TraceId, string SpanId, string ParentSpanId, string Name);

    public static IReadOnlyList<Span> Read(byte[] request)
    {
        var spans = new List<Span>();
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans.Bytes).Where(f => f.Number == 2))
            {
                foreach (var span in Fields(scopeSpans.Bytes).Where(f => f.Number == 2))
                {
                    var fields = Fields(span.Bytes).ToList();
                    string Hex(int number) => Convert.ToHexStringLower(fields.FirstOrDefault(f => f.Number == number).Bytes ?? []);
                    spans.Add(new Span(Hex(1), Hex(2), Hex(4), System.Text.Encoding.UTF8.GetString(fields.First(f => f.Number == 5).Bytes)));
                }
            }
        }
        return spans;
    }

    /// <summary>The length-delimited fields of a message (others are skipped).</summary>
    private static IEnumerable<(int Number, byte[] Bytes)> Fields(byte[] message)
    {
        var at = 0;
        while (at < message.Length)
        {
            var key = Varint(message, ref at);
            var (number, type) = ((int)(key >> 3), (int)(key & 7));
            switch (type)
            {
                case 0:
                    Varint(message, ref at);
                    break;
                case 1:
                    at += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    yield return (number, message[at..(at + length)]);
                    at += length;
                    break;
                case 5:
                    at += 4;
                    break;
                default:
                    throw new FormatException($"wire type {type} at {at}");
            }
        }
    }

    private static ulong Varint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
