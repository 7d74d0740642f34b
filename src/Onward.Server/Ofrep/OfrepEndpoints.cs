using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Onward.Core.Messages;
using Microsoft.AspNetCore.Mvc;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Flags;
using Onward.Core.Insight;
using Onward.Server.Insight;

namespace Onward.Server.Ofrep;

/// <summary>
/// The OpenFeature Remote Evaluation Protocol (OFREP 0.3.0) per environment: <c>{server}/flags/{env}</c> is an OFREP
/// base URL answering single (<c>POST …/ofrep/v1/evaluate/flags/{key}</c>) and bulk (<c>POST …/ofrep/v1/evaluate/flags</c>)
/// evaluations. Answers follow flagd's: a DISABLED flag or a code default comes without <c>value</c> and <c>variant</c>
/// (OFREP ADR-0006, https://github.com/open-feature/protocol/blob/main/service/adrs/0006-optional-value-for-code-defaults.md: "providers MUST use the code default value"); FLAG_NOT_FOUND is 404, PARSE_ERROR and GENERAL are 400.
/// The bulk ETag is a hash of the evaluated answer, not of the configuration, so that a client keeping its ETag across
/// context changes (as ofrep-web-provider does) never keeps a stale answer.
/// </summary>
public static class OfrepEndpoints
{
    public const int MostBodyBytes = 64 * 1024;
    public const int MostEventBytes = 4 * 1024;

    /// <summary>flagd's header for a selector (<see cref="FlagSelector"/>).</summary>
    public const string SelectorHeader = "Flagd-Selector";

    /// <summary>After this long without use (a hidden page, say) a client closes the change stream and re-fetches when back (<c>inactivityDelaySec</c>).</summary>
    public static readonly TimeSpan StreamInactivity = TimeSpan.FromSeconds(120);

    /// <summary>Change streams one server keeps open at most; more are answered 503 with Retry-After (the client polls meanwhile).</summary>
    public const int MostStreams = 10_000;

    private static int _openStreams;

    /// <summary>How often an idle change stream says it is alive (an SSE comment), so that proxies keep it open.</summary>
    public static readonly TimeSpan StreamKeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A conversion for experiments, in the shape of OpenFeature's tracking API: <c>{targetingKey, event, value?}</c>.
    /// Authenticated like evaluations; 202 once stored.
    /// </summary>
    private static async Task TrackAsync(string environment, HttpContext http, OnwardConfig config, AccessTokens tokens, IExperimentStore experiments, TimeProvider time)
    {
        AllowOrigin(http, config);
        if (await RefusedAsync(http, environment, null, config, tokens) is { } refused)
        {
            await WriteAsync(http, refused.Status, refused.Body);
            return;
        }
        string? problem = null;
        Conversion? conversion = null;
        try
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
            if (JsonText.Problem(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) is { } notText)
            {
                await WriteAsync(http, 400, Details(notText));
                return;
            }
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 8 });
            var root = document.RootElement;
            var targetingKey = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("targetingKey", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            var name = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            double? value = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
            problem = targetingKey is not { Length: > 0 and <= Conversion.LongestTargetingKey } ? $"`targetingKey` is a string of 1 to {Conversion.LongestTargetingKey} characters"
                : name is not { Length: > 0 and <= Conversion.LongestEvent } || name.Any(char.IsControl) ? $"`event` is a name of 1 to {Conversion.LongestEvent} characters, e.g. \"checkout-completed\""
                : null;
            conversion = problem is null ? new Conversion(environment, name!, targetingKey!, value, time.GetUtcNow()) : null;
        }
        catch (JsonException)
        {
            problem = "the body is JSON: {\"targetingKey\": \"user-1\", \"event\": \"checkout-completed\", \"value\": 42.5}";
        }
        catch (BadHttpRequestException)
        {
            await WriteAsync(http, 413, Details($"an event is at most {MostEventBytes} bytes"));
            return;
        }
        if (problem is not null)
        {
            await WriteAsync(http, 400, Details(problem));
            return;
        }
        await experiments.RecordConversionAsync(conversion!, http.RequestAborted);
        http.Response.StatusCode = 202;
    }

    public static void MapOfrep(this IEndpointRouteBuilder app)
    {
        var ofrep = app.MapGroup("/flags/{environment}/ofrep/v1/evaluate");
        ofrep.WithMetadata(new RequestSizeLimitAttribute(MostBodyBytes));
        ofrep.MapPost("/flags/{key}", EvaluateAsync);
        ofrep.MapPost("/flags", EvaluateAllAsync);
        app.MapPost("/flags/{environment}/events", TrackAsync).WithMetadata(new RequestSizeLimitAttribute(MostEventBytes));
        app.MapGet("/flags/{environment}/ofrep/v1/events", EventsAsync);
        ofrep.MapMethods("/flags/{key}", ["OPTIONS"], Preflight);
        ofrep.MapMethods("/flags", ["OPTIONS"], Preflight);
        // A browser sends a conversion as JSON, so it asks first, as for an evaluation.
        app.MapMethods("/flags/{environment}/events", ["OPTIONS"], Preflight);
    }

    /// <summary>
    /// OFREP's change notification (OFREP ADR-0008, https://github.com/open-feature/protocol/blob/main/service/adrs/0008-sse-for-bulk-evaluation-changes.md; docs/adr/0004): a server-sent event stream per environment that sends
    /// <c>{"type":"refetchEvaluation"}</c> whenever the environment's flags change, on whichever replica, so that a
    /// client-side provider re-fetches at once instead of polling. Its URL comes in every bulk answer's
    /// <c>eventStreams</c>, with a ticket (<see cref="FlagStreamTickets"/>) when tokens are on, since browsers open it
    /// without headers.
    /// </summary>
    private static async Task EventsAsync(string environment, string? ticket, HttpContext http, OnwardConfig config, FlagStreamTickets tickets, FlagCatalog catalog,
        IHostApplicationLifetime lifetime, TimeProvider time)
    {
        AllowOrigin(http, config);
        var unknown = config.FindEnvironment(environment) is null;
        if (unknown || (config.Auth.Mode != AuthMode.None && !await tickets.ValidAsync(ticket, environment, http.RequestAborted)))
        {
            await WriteAsync(http, unknown ? 404 : 401, Details(unknown
                    ? $"unknown environment '{environment}'"
                    : "the stream's ticket is missing, expired or no longer valid (its token was revoked?); evaluate the flags in bulk again for a new stream URL"));
            return;
        }
        var changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnChanged(string name)
        {
            if (name == environment)
            {
                changes.Writer.TryWrite(true);
            }
        }
        if (Interlocked.Increment(ref _openStreams) > MostStreams)
        {
            Interlocked.Decrement(ref _openStreams);
            http.Response.Headers.RetryAfter = "60";
            await WriteAsync(http, 503, Details($"this server has {MostStreams} change streams open; poll meanwhile, or try again in a minute"));
            return;
        }
        catalog.Changed += OnChanged;
        // Ends with the client, or when the server stops (the client reconnects, to another replica perhaps).
        using var open = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            http.Response.StatusCode = 200;
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            await http.Response.WriteAsync($": the flags of {environment}\n\n", open.Token);
            await http.Response.Body.FlushAsync(open.Token);
            while (!open.Token.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(open.Token);
                wait.CancelAfter(StreamKeepAlive);
                string message;
                try
                {
                    await changes.Reader.ReadAsync(wait.Token);
                    message = $"data: {{\"type\":\"refetchEvaluation\",\"lastModified\":{time.GetUtcNow().ToUnixTimeSeconds()}}}\n\n";
                }
                catch (OperationCanceledException) when (!open.Token.IsCancellationRequested)
                {
                    message = ": alive\n\n";
                }
                // A stream lasts only as long as its ticket's token: one revoked meanwhile ends it at the next message.
                if (config.Auth.Mode != AuthMode.None && !await tickets.ValidAsync(ticket, environment, open.Token))
                {
                    await http.Response.WriteAsync("event: ended\ndata: {\"reason\":\"the stream's token is no longer valid\"}\n\n", open.Token);
                    await http.Response.Body.FlushAsync(open.Token);
                    return;
                }
                await http.Response.WriteAsync(message, open.Token);
                await http.Response.Body.FlushAsync(open.Token);
            }
        }
        catch (OperationCanceledException) when (open.Token.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            catalog.Changed -= OnChanged;
            Interlocked.Decrement(ref _openStreams);
        }
    }

    /// <summary>The change stream's URL, at <c>server.publicUrl</c> when set (behind a proxy), else where the client reached this server.</summary>
    private static string EventsUrl(HttpContext http, OnwardConfig config, string environment, string? ticket)
    {
        var origin = config.Server.PublicUrl is { } publicUrl ? publicUrl.ToString().TrimEnd('/') : $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
        return $"{origin}/flags/{Uri.EscapeDataString(environment)}/ofrep/v1/events" + (ticket is null ? "" : "?ticket=" + Uri.EscapeDataString(ticket));
    }

    /// <summary>CORS for browser clients, per environment (<c>flags: { cors: [origins] }</c>): only listed origins get the headers.</summary>
    private static bool AllowOrigin(HttpContext http, OnwardConfig config)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || http.Request.RouteValues["environment"] is not string name || config.FindEnvironment(name) is not { } environment)
        {
            return false;
        }
        var allowed = environment.Flags.Cors.Contains("*") ? "*" : environment.Flags.Cors.FirstOrDefault(o => string.Equals(o, origin, StringComparison.OrdinalIgnoreCase));
        if (allowed is null)
        {
            return false;
        }
        http.Response.Headers.AccessControlAllowOrigin = allowed == "*" ? "*" : origin;
        http.Response.Headers.Vary = "Origin";
        http.Response.Headers.AccessControlExposeHeaders = "ETag";
        return true;
    }

    private static IResult Preflight(HttpContext http, OnwardConfig config)
    {
        if (!AllowOrigin(http, config))
        {
            return Results.StatusCode(403);
        }
        http.Response.Headers.AccessControlAllowMethods = "POST, OPTIONS";
        http.Response.Headers.AccessControlAllowHeaders = "Content-Type, Authorization, X-API-Key, If-None-Match, " + SelectorHeader;
        http.Response.Headers.AccessControlMaxAge = "600";
        return Results.NoContent();
    }

    private static async Task EvaluateAsync(
        string environment, string key, HttpContext http, OnwardConfig config, AccessTokens tokens, FlagCatalog catalog, ExposureRecorder exposures, TimeProvider time)
    {
        AllowOrigin(http, config);
        if (await RefusedAsync(http, environment, key, config, tokens) is { } refused)
        {
            await WriteAsync(http, refused.Status, refused.Body);
            return;
        }
        var (context, selector, unfit) = await ReadRequestAsync(http);
        if (unfit is not null)
        {
            await WriteAsync(http, unfit.Status, w => Failure(w, key, unfit.Code, unfit.Details));
            return;
        }
        var flags = await catalog.GetAsync(environment, http.RequestAborted);
        var flag = flags.Find(key) is { } found && (selector is null || selector.Selects(found)) ? found : null;
        // A client that goes away stops the evaluation with it.
        var resolution = FlagEvaluator.Evaluate(flag, key, context!, time.GetUtcNow().ToUnixTimeSeconds(), new EvaluationBudget(http.RequestAborted));
        OnwardMetrics.FlagEvaluations.WithLabels(environment).Inc();
        if (flag is not null)
        {
            exposures.Record(environment, flag, resolution, context!);
        }
        var status = resolution.ErrorCode switch
        {
            null => 200,
            FlagErrorCodes.FlagNotFound => 404,
            _ => 400,
        };
        await WriteAsync(http, status, w => Resolution(w, resolution));
    }

    private static async Task EvaluateAllAsync(
        string environment, HttpContext http, OnwardConfig config, AccessTokens tokens, FlagStreamTickets tickets, FlagCatalog catalog, ExposureRecorder exposures,
        TimeProvider time)
    {
        AllowOrigin(http, config);
        var (refused, token, secret) = await AuthorizeAsync(http, environment, null, config, tokens);
        if (refused is not null)
        {
            await WriteAsync(http, refused.Status, refused.Body);
            return;
        }
        var (context, selector, unfit) = await ReadRequestAsync(http);
        if (unfit is not null)
        {
            await WriteAsync(http, unfit.Status, w => Failure(w, null, unfit.Code, unfit.Details));
            return;
        }
        var flags = await catalog.GetAsync(environment, http.RequestAborted);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var selected = flags.Flags.Where(f => selector is null || selector.Selects(f.Value.Flag)).Select(f => f.Key).Order(StringComparer.Ordinal).ToList();
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
                var resolution = FlagEvaluator.Evaluate(flag, key, context!, now, budget);
                exposures.Record(environment, flag, resolution, context!);
                Resolution(writer, resolution);
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
            writer.WriteString("url", EventsUrl(http, config, environment, token is null ? null : tickets.Issue(token, secret!, environment)));
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

    private const string Oversized = "request body too large";

    /// <summary>Why an evaluation request cannot be answered: its status, OFREP error code and details.</summary>
    private sealed record Unfit(int Status, string Code, string Details);

    /// <summary>
    /// An evaluation request's context and flagd selector (the <c>Flagd-Selector</c> header, else the body's
    /// <c>selector</c>), or why it cannot be answered.
    /// </summary>
    private static async Task<(IReadOnlyDictionary<string, object?>? Context, FlagSelector? Selector, Unfit? Unfit)> ReadRequestAsync(HttpContext http)
    {
        var (context, invalid, bodySelector) = await ReadContextAsync(http);
        if (invalid is not null)
        {
            return (null, null, new Unfit(invalid == Oversized ? 413 : 400, FlagErrorCodes.InvalidContext, invalid));
        }
        var (selector, unselectable) = FlagSelector.Parse(http.Request.Headers[SelectorHeader].ToString() is { Length: > 0 } header ? header : bodySelector);
        return unselectable is not null ? (null, null, new Unfit(400, FlagErrorCodes.General, unselectable)) : (context, selector, null);
    }

    private static async Task<(IReadOnlyDictionary<string, object?>? Context, string? Invalid, string? Selector)> ReadContextAsync(HttpContext http)
    {
        if (http.Request.ContentLength is > MostBodyBytes)
        {
            return (null, Oversized, null);
        }
        var buffer = ArrayPool<byte>.Shared.Rent((int)(http.Request.ContentLength ?? 4096) + 1);
        try
        {
            var length = 0;
            int read;
            while ((read = await http.Request.Body.ReadAsync(buffer.AsMemory(length), http.RequestAborted)) > 0)
            {
                length += read;
                if (length > MostBodyBytes)
                {
                    return (null, Oversized, null);
                }
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }
            return length == 0 ? (FlagData.EmptyObject, null, null) : ParseContext(buffer.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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

    private sealed record Refusal(int Status, Action<Utf8JsonWriter> Body);

    private static async Task<Refusal?> RefusedAsync(HttpContext http, string environment, string? key, OnwardConfig config, AccessTokens tokens) =>
        (await AuthorizeAsync(http, environment, key, config, tokens)).Refused;

    /// <summary>Refuses an unknown environment or a caller without a fitting token; otherwise answers the caller's token and secret (none without auth).</summary>
    private static async Task<(Refusal? Refused, AccessToken? Token, string? Secret)> AuthorizeAsync(
        HttpContext http, string environment, string? key, OnwardConfig config, AccessTokens tokens)
    {
        if (config.FindEnvironment(environment) is null)
        {
            return (new Refusal(404, w => Failure(w, key, FlagErrorCodes.FlagNotFound, $"unknown environment '{environment}'; the OFREP base URL is {{server}}/flags/{{environment}}")), null, null);
        }
        if (config.Auth.Mode == AuthMode.None)
        {
            return (null, null, null);
        }
        var header = http.Request.Headers.Authorization.ToString();
        var secret = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : http.Request.Headers["X-API-Key"].ToString().Trim();
        var token = secret.Length == 0 ? null : await tokens.FindAsync(secret, http.RequestAborted);
        if (token is { Role: Role.Sdk } && token.Environment != environment)
        {
            return (new Refusal(403, Details($"this SDK key evaluates the flags of {token.Environment} only; create one for {environment} (onward tokens create --role sdk --env {environment})")), null, null);
        }
        if (token is null)
        {
            return (new Refusal(401, Details(secret.Length == 0
                    ? "send a token as `Authorization: Bearer TOKEN` or `X-API-Key: TOKEN`"
                    : "the token is unknown or revoked")), null, null);
        }
        return (null, token, secret);
    }

    private static void Resolution(Utf8JsonWriter w, FlagResolution r)
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

    private static void Failure(Utf8JsonWriter w, string? key, string errorCode, string? details, IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?>? metadata = null)
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
    private static Action<Utf8JsonWriter> Details(string details) => w =>
    {
        w.WriteStartObject();
        w.WriteString("errorDetails", details);
        w.WriteEndObject();
    };

    private static void Metadata(Utf8JsonWriter w, IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?> metadata)
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

    private static async Task WriteAsync(HttpContext http, int status, Action<Utf8JsonWriter> body)
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
}
