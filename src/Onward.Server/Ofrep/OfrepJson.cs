using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Onward.Core.Flags;

namespace Onward.Server.Ofrep;

/// <summary>
/// OFREP's answers, written as flagd writes them: a DISABLED flag or a code default comes without <c>value</c> and
/// <c>variant</c> (OFREP ADR-0006, https://github.com/open-feature/protocol/blob/main/service/adrs/0006-optional-value-for-code-defaults.md:
/// "providers MUST use the code default value"); refusals and limits are an object of only <c>errorDetails</c>.
/// </summary>
public static class OfrepJson
{
    public static void Resolution(Utf8JsonWriter w, FlagResolution r)
    {
        if (r.ErrorCode is not null)
        {
            Failure(w, r.Key, r.ErrorCode, r.ErrorDetails, r.Metadata);
            return;
        }
        w.WriteStartObject();
        w.WriteString("key", r.Key);
        w.WriteString("reason", r.Reason);
        if (r.Variant is not null)
        {
            w.WriteString("variant", r.Variant);
            w.WritePropertyName("value");
            if (r.Value is null)
            {
                w.WriteNullValue();
            }
            else
            {
                r.Value.WriteTo(w);
            }
        }
        Metadata(w, r.Metadata);
        w.WriteEndObject();
    }

    public static void Failure(Utf8JsonWriter w, string? key, string errorCode, string? details, IReadOnlyDictionary<string, JsonNode?>? metadata = null)
    {
        w.WriteStartObject();
        if (key is not null)
        {
            w.WriteString("key", key);
        }
        w.WriteString("errorCode", errorCode);
        if (details is not null)
        {
            w.WriteString("errorDetails", details);
        }
        if (metadata is not null)
        {
            Metadata(w, metadata);
        }
        w.WriteEndObject();
    }

    /// <summary>An answer of only <c>errorDetails</c> (refusals, limits), as flagd's OFREP gives them.</summary>
    public static Action<Utf8JsonWriter> Details(string details) => w =>
    {
        w.WriteStartObject();
        w.WriteString("errorDetails", details);
        w.WriteEndObject();
    };

    public static async Task WriteAsync(HttpContext http, int status, Action<Utf8JsonWriter> body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        var buffer = new ArrayBufferWriter<byte>(512);
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            body(writer);
        }
        await http.Response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted);
    }

    private static void Metadata(Utf8JsonWriter w, IReadOnlyDictionary<string, JsonNode?> metadata)
    {
        w.WriteStartObject("metadata");
        foreach (var (name, value) in metadata)
        {
            w.WritePropertyName(name);
            if (value is null)
            {
                w.WriteNullValue();
            }
            else
            {
                value.WriteTo(w);
            }
        }
        w.WriteEndObject();
    }
}
