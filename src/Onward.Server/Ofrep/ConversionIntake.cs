using System.Text.Json;
using Onward.Core.Flags;
using Onward.Core.Messages;
using Onward.Server.Problems;

namespace Onward.Server.Ofrep;

/// <summary>
/// A conversion for experiments, in the shape of OpenFeature's tracking API: <c>{targetingKey, event, value?}</c>.
/// Authenticated like evaluations (<see cref="SdkAccess"/>); 202 once stored.
/// </summary>
public static class ConversionIntake
{
    public static async Task TrackAsync(string environment, HttpContext http, IExperimentStore experiments, TimeProvider time)
    {
        using var body = await BoundedBody.ReadAsync(http, OfrepRoutes.MostEventBytes, http.RequestAborted);
        if (body is null)
        {
            await OfrepJson.WriteAsync(http, 413, OfrepJson.Details($"an event is at most {OfrepRoutes.MostEventBytes} bytes"));
            return;
        }
        var (conversion, problem) = Read(environment, body.Memory, time.GetUtcNow());
        if (problem is not null)
        {
            await OfrepJson.WriteAsync(http, 400, OfrepJson.Details(problem));
            return;
        }
        await experiments.RecordConversionAsync(conversion!, http.RequestAborted);
        http.Response.StatusCode = 202;
    }

    private static (Conversion? Conversion, string? Problem) Read(string environment, ReadOnlyMemory<byte> body, DateTimeOffset now)
    {
        if (JsonText.Problem(body.Span) is { } notText)
        {
            return (null, notText);
        }
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
            var root = document.RootElement;
            var targetingKey = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("targetingKey", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            var name = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            double? value = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
            var problem = targetingKey is not { Length: > 0 and <= Conversion.LongestTargetingKey } ? $"`targetingKey` is a string of 1 to {Conversion.LongestTargetingKey} characters"
                : name is not { Length: > 0 and <= Conversion.LongestEvent } || name.Any(char.IsControl) ? $"`event` is a name of 1 to {Conversion.LongestEvent} characters, e.g. \"checkout-completed\""
                : null;
            return problem is null ? (new Conversion(environment, name!, targetingKey!, value, now), null) : (null, problem);
        }
        catch (JsonException)
        {
            return (null, "the body is JSON: {\"targetingKey\": \"user-1\", \"event\": \"checkout-completed\", \"value\": 42.5}");
        }
    }
}
