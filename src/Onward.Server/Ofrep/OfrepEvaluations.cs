using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Flags;
using Onward.Server.Auth;
using Onward.Server.Insight;

namespace Onward.Server.Ofrep;

/// <summary>
/// Single and bulk evaluations. FLAG_NOT_FOUND is 404, PARSE_ERROR and GENERAL are 400. The bulk ETag is a hash of the
/// evaluated answer, not of the configuration, so that a client keeping its ETag across context changes (as
/// ofrep-web-provider does) never keeps a stale answer.
/// </summary>
public static class OfrepEvaluations
{
    /// <summary>After this long without use (a hidden page, say) a client closes the change stream and re-fetches when back (<c>inactivityDelaySec</c>).</summary>
    public static readonly TimeSpan StreamInactivity = TimeSpan.FromSeconds(120);

    public static async Task EvaluateAsync(string environment, string key, HttpContext http, FlagCatalog catalog, CanaryFlags canaries, ExposureRecorder exposures, TimeProvider time)
    {
        var (request, unfit) = await EvaluationRequest.ReadAsync(http);
        if (unfit is not null)
        {
            await OfrepJson.WriteAsync(http, unfit.Status, w => OfrepJson.Failure(w, key, unfit.Code, unfit.Details));
            return;
        }
        var flags = await canaries.ForAsync(environment, request!.Context, http.RequestAborted) ?? await catalog.GetAsync(environment, http.RequestAborted);
        var flag = flags.Find(key) is { } found && (request!.Selector is null || request.Selector.Selects(found)) ? found : null;
        // A client that goes away stops the evaluation with it.
        var resolution = FlagEvaluator.Evaluate(flag, key, request!.Context, time.GetUtcNow().ToUnixTimeSeconds(), new EvaluationBudget(http.RequestAborted));
        OnwardMetrics.FlagEvaluations.WithLabels(environment).Inc();
        if (flag is not null)
        {
            exposures.Record(environment, flag, resolution, request.Context);
        }
        var status = resolution.ErrorCode switch
        {
            null => 200,
            FlagErrorCodes.FlagNotFound => 404,
            _ => 400,
        };
        await OfrepJson.WriteAsync(http, status, w => OfrepJson.Resolution(w, resolution));
    }

    public static async Task EvaluateAllAsync(
        string environment, HttpContext http, OnwardConfig config, FlagStreamTickets tickets, FlagCatalog catalog, CanaryFlags canaries, ExposureRecorder exposures, TimeProvider time)
    {
        var (request, unfit) = await EvaluationRequest.ReadAsync(http);
        if (unfit is not null)
        {
            await OfrepJson.WriteAsync(http, unfit.Status, w => OfrepJson.Failure(w, null, unfit.Code, unfit.Details));
            return;
        }
        var flags = await canaries.ForAsync(environment, request!.Context, http.RequestAborted) ?? await catalog.GetAsync(environment, http.RequestAborted);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var selected = flags.Flags.Where(f => request!.Selector is null || request.Selector.Selects(f.Value.Flag)).Select(f => f.Key).Order(StringComparer.Ordinal).ToList();
        OnwardMetrics.FlagEvaluations.WithLabels(environment).Inc(selected.Count);
        var buffer = new ArrayBufferWriter<byte>(4096);
        // One budget for every flag of the answer, so that many costly flags cannot add up; a client gone stops it.
        var budget = new EvaluationBudget(http.RequestAborted);
        string etag;
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("flags");
            foreach (var key in selected)
            {
                var flag = flags.Find(key)!;
                var resolution = FlagEvaluator.Evaluate(flag, key, request!.Context, now, budget);
                exposures.Record(environment, flag, resolution, request.Context);
                OfrepJson.Resolution(writer, resolution);
            }
            writer.WriteEndArray();
            writer.WriteStartObject("metadata");
            writer.WriteEndObject();
            await writer.FlushAsync(http.RequestAborted);
            // The answer so far makes the ETag; the stream's URL (its ticket renews by the hour) does not.
            etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan))[..32]}\"";
            writer.WriteStartArray("eventStreams");
            writer.WriteStartObject();
            writer.WriteString("type", "sse");
            var ticket = CallerIdentity.Token(http) is var (token, secret) ? tickets.Issue(token, secret, environment) : null;
            writer.WriteString("url", FlagChangeStream.Url(http, config, environment, ticket));
            writer.WriteNumber("inactivityDelaySec", (int)StreamInactivity.TotalSeconds);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = "no-cache";
        if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag || t.Trim() == "*")))
        {
            http.Response.StatusCode = 304;
            return;
        }
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = buffer.WrittenCount;
        await http.Response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted);
    }
}
