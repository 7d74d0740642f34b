using System.Text.Json;
using Onward.Core.Flags;
using Onward.Core.Messages;
using Onward.Server.Problems;

namespace Onward.Server.Ofrep;

/// <summary>
/// An evaluation request's context and flagd selector (the <c>Flagd-Selector</c> header, else the body's
/// <c>selector</c>), or why it cannot be answered: its status, OFREP error code and details.
/// </summary>
public sealed record EvaluationRequest(IReadOnlyDictionary<string, object?> Context, FlagSelector? Selector)
{
    public sealed record Unfit(int Status, string Code, string Details);

    public static async Task<(EvaluationRequest? Request, Unfit? Unfit)> ReadAsync(HttpContext http)
    {
        using var body = await BoundedBody.ReadAsync(http, OfrepRoutes.MostBodyBytes, http.RequestAborted);
        if (body is null)
        {
            return (null, new Unfit(413, FlagErrorCodes.InvalidContext, "request body too large"));
        }
        var (context, invalid, bodySelector) = body.Length == 0 ? (FlagData.EmptyObject, null, null) : ParseContext(body.Memory);
        if (invalid is not null)
        {
            return (null, new Unfit(400, FlagErrorCodes.InvalidContext, invalid));
        }
        var (selector, unselectable) = FlagSelector.Parse(http.Request.Headers[OfrepRoutes.SelectorHeader].ToString() is { Length: > 0 } header ? header : bodySelector);
        return unselectable is not null ? (null, new Unfit(400, FlagErrorCodes.General, unselectable)) : (new EvaluationRequest(context!, selector), null);
    }

    private static (IReadOnlyDictionary<string, object?>? Context, string? Invalid, string? Selector) ParseContext(ReadOnlyMemory<byte> body)
    {
        if (JsonText.Problem(body.Span) is { } notText)
        {
            return (null, "Provider context is not valid: " + notText, null);
        }
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, "the body is a JSON object: {\"context\": {\"targetingKey\": \"user-1\", …}}", null);
            }
            // flagd's selector may come in the body too (the header wins).
            var selector = document.RootElement.TryGetProperty("selector", out var given) && given.ValueKind == JsonValueKind.String ? given.GetString() : null;
            if (!document.RootElement.TryGetProperty("context", out var context) || context.ValueKind == JsonValueKind.Null)
            {
                return (FlagData.EmptyObject, null, selector);
            }
            if (context.ValueKind != JsonValueKind.Object)
            {
                return (null, "`context` is an object of attributes, e.g. {\"targetingKey\": \"user-1\", \"plan\": \"pro\"}", null);
            }
            if (context.TryGetProperty("targetingKey", out var targetingKey) && targetingKey.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                return (null, "`context.targetingKey` is a string", null);
            }
            return ((IReadOnlyDictionary<string, object?>)FlagData.FromJson(context)!, null, selector);
        }
        catch (JsonException)
        {
            return (null, "Provider context is not valid: the body is not JSON", null);
        }
    }
}
