using Onward.Core.Sources;
using Onward.Core.Previews;
using Onward.Core.Releases;
using System.Security.Cryptography;
using System.Text.Json;
using Onward.Core.Messages;
using Onward.Contracts.Webhooks;
using Onward.Core.Configuration;
using Onward.Core.Webhooks;
using Onward.Integrations.GitProviders;
using Onward.Core.Insight;
using Onward.Server.Insight;
using Onward.Server.Problems;

namespace Onward.Server.Webhooks;

/// <summary>
/// <c>POST /hooks/{provider}</c>: reads at most <see cref="MaxPayloadBytes"/>, checks the signature, reads the push,
/// decides whether it builds, records the delivery and answers, all before any git or build work (that follows as a
/// job). Only a correctly signed request is recorded (rule 12 of docs/ARCHITECTURE.md): one that is unsigned, wrongly signed or too
/// large is counted and answered, and leaves no record, so it can neither claim a delivery id nor fill the database.
/// Every signed delivery is recorded, also those that are malformed or of an unknown event, so that a person can see
/// why a push did or did not build.
/// </summary>
public static class WebhookReceiver
{
    /// <summary>Larger than any push payload GitHub sends (it caps them at 25 MB by dropping commit details first).</summary>
    public const int MaxPayloadBytes = 5 * 1024 * 1024;

    public static void MapWebhookReceivers(this IEndpointRouteBuilder app) =>
        app.MapPost("/hooks/{provider}", ReceiveAsync);

    private static async Task<IResult> ReceiveAsync(
        string provider, HttpContext http, OnwardConfig config, IDeliveryStore store, PreviewRequests previews, RefusedWebhooks refused, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var git = GitProvider.All.FirstOrDefault(p => p.Name == provider);
        if (git is null)
        {
            return Problem(404, "there is no webhook receiver at this address; use /hooks/github, /hooks/gitlab, /hooks/gitea (also Forgejo, Gogs) or /hooks/bitbucket");
        }
        if (!config.WebhookSecrets.TryGetValue(provider, out var secret))
        {
            return Problem(404, $"webhooks from {provider} are not set up; add `webhooks: {{ {provider}: {{ secret: ... }} }}` to onward.yaml with the secret you gave {provider}");
        }
        var from = http.Connection.RemoteIpAddress?.ToString();
        var tooLarge = $"the payload is larger than {MaxPayloadBytes / 1024 / 1024} MiB; it was not read, checked or recorded";
        if (http.Request.ContentLength > MaxPayloadBytes)
        {
            // Nothing of the body is read, so the connection cannot be used again.
            http.Response.Headers.Connection = "close";
            refused.Count(provider, "payload too large", from);
            return Problem(413, tooLarge);
        }
        using var read = await BoundedBody.ReadAsync(http, MaxPayloadBytes, cancellationToken);
        if (read is null)
        {
            refused.Count(provider, "payload too large", from);
            return Problem(413, tooLarge);
        }
        var body = read.ToArray();
        var request = new WebhookRequest(name => http.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null, body);
        if (!git.IsSigned(request, secret))
        {
            refused.Count(provider, $"missing or wrong {git.SignatureHeader}", from);
            return Problem(401, $"missing or wrong {git.SignatureHeader}: the webhook must be signed with the secret set in onward.yaml under webhooks.{provider}.secret; unsigned requests are not recorded");
        }

        // From here on the request is the provider's own, and every answer is recorded.
        var eventName = Bounded(git.Event(request) ?? "", 100);
        var deliveryId = git.DeliveryId(request) is { Length: > 0 } given ? Bounded(given, 200) : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(request.Body));
        if (eventName.Length == 0)
        {
            return await RecordAsync(store, time, Ignored(provider, "", deliveryId, "the request names no event; is it really a " + provider + " webhook?"), null, 400, cancellationToken);
        }
        ProviderReading reading;
        try
        {
            // GitHub and Gitea can also send the JSON as the `payload` field of a form; the signature is over the form as sent.
            var payload = IsForm(http.Request) ? FormPayload(body) : body;
            if (JsonText.Problem(payload) is { } notText)
            {
                return await RecordAsync(store, time, Ignored(provider, eventName, deliveryId, $"malformed payload: {notText}"), null, 400, cancellationToken);
            }
            using var document = JsonDocument.Parse(payload);
            reading = git.Read(eventName, document.RootElement);
        }
        catch (JsonException e)
        {
            return await RecordAsync(store, time, Ignored(provider, eventName, deliveryId, $"malformed payload: not JSON ({e.Message})"), null, 400, cancellationToken);
        }
        catch (PayloadException e)
        {
            return await RecordAsync(store, time, Ignored(provider, eventName, deliveryId, $"malformed payload: {e.Message}"), null, 400, cancellationToken);
        }
        switch (reading)
        {
            case ProviderReading.Unknown unknown:
                return await RecordAsync(store, time, Ignored(provider, eventName, deliveryId, unknown.Reason), null, 400, cancellationToken);
            case ProviderReading.Ignored ignored:
                return await RecordAsync(store, time, Ignored(provider, eventName, deliveryId, ignored.Reason), null, 202, cancellationToken);
            case ProviderReading.PullRequest pull:
                return await PullRequestAsync(provider, eventName, deliveryId, pull.Event, config, store, previews, time, cancellationToken);
            default:
                var push = ((ProviderReading.Push)reading).Event;
                var decision = DeliveryClassifier.Classify(config, push);
                var first = push.Changes.FirstOrDefault(c => !c.Deleted) ?? push.Changes.FirstOrDefault();
                var delivery = new NewDelivery(provider, eventName, deliveryId, push.Repositories.FirstOrDefault(), first?.Ref, first?.Kind, first?.Name,
                    first?.Commit, first?.Forced, decision.Action, decision.Reason);
                return await RecordAsync(store, time, delivery, push, 202, cancellationToken);
        }
    }

    /// <summary>
    /// A pull request event: recorded like a push (what it does, decided at once), then handed to the previews; the
    /// previews' work (fetch, build, deploy, destroy) follows as their jobs. Recorded as <c>build</c> when it acts.
    /// </summary>
    private static async Task<IResult> PullRequestAsync(
        string provider, string eventName, string deliveryId, PullRequestEvent pull, OnwardConfig config, IDeliveryStore store, PreviewRequests previews,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (acts, reason) = PreviewRequests.Classify(config, pull);
        var delivery = new NewDelivery(provider, eventName, deliveryId, pull.Repositories.FirstOrDefault(), $"refs/heads/{pull.Branch}", RefKind.Branch, pull.Branch,
            CommitId.IsFull(pull.Commit) ? pull.Commit : null, null, acts ? DeliveryAction.Build : DeliveryAction.Ignore, Bounded(reason, 2000));
        // Recorded as ignored (no push to fetch for it) until the previews have it; counted as what it does.
        var (recorded, duplicate) = await AddAsync(store, time, delivery with { Action = DeliveryAction.Ignore }, null, delivery.Action, cancellationToken);
        if (recorded is null)
        {
            return duplicate!;
        }
        if (!acts)
        {
            return TypedResults.Json(new WebhookAnswer(recorded.Id, false, "ignore", reason), statusCode: 202);
        }
        string done;
        try
        {
            done = await previews.HandleAsync(pull, provider, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Recorded, so a redelivery is a duplicate: the delivery says what went wrong, and the look at the host's
            // open pull requests (with `report`) catches up.
            await store.CompleteAsync(recorded.Id, DeliveryAction.Ignore, Bounded($"{reason} → not done: {e.Message}", 4000), null, delivery.Commit, CancellationToken.None);
            return TypedResults.Problem(statusCode: 500,
                detail: $"the pull request event could not be handled; delivery {recorded.Id} in Onward says why (previews catch up at the next look at the open pull requests)");
        }
        await store.CompleteAsync(recorded.Id, DeliveryAction.Build, Bounded($"{reason} → {done}", 4000), null, delivery.Commit, cancellationToken);
        return TypedResults.Json(new WebhookAnswer(recorded.Id, false, "build", done), statusCode: 202);
    }

    private static bool IsForm(HttpRequest request) =>
        request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The <c>payload</c> field of a form body.</summary>
    /// <exception cref="JsonException">The form has no <c>payload</c> field.</exception>
    private static byte[] FormPayload(byte[] body)
    {
        foreach (var field in System.Text.Encoding.UTF8.GetString(body).Split('&'))
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && field[..equals] == "payload")
            {
                return System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(field[(equals + 1)..].Replace('+', ' ')));
            }
        }
        throw new JsonException("the form has no `payload` field");
    }

    private static string Bounded(string text, int max) => text.Length <= max ? text : text[..max];

    private static NewDelivery Ignored(string provider, string eventName, string deliveryId, string reason) =>
        new(provider, eventName, deliveryId, null, null, null, null, null, null, DeliveryAction.Ignore, reason);

    /// <summary>Records the delivery and counts it as <paramref name="counted"/>; a delivery seen before is counted and answered as a duplicate.</summary>
    private static async Task<(Delivery? Recorded, IResult? Duplicate)> AddAsync(
        IDeliveryStore store, TimeProvider time, NewDelivery delivery, PushEvent? push, DeliveryAction counted, CancellationToken cancellationToken)
    {
        var recorded = await store.AddAsync(delivery, push, time.GetUtcNow(), cancellationToken);
        OnwardMetrics.WebhookDeliveries.WithLabels(delivery.Provider, recorded is null ? "duplicate" : counted.ToString().ToLowerInvariant()).Inc();
        return recorded is null
            ? (null, TypedResults.Ok(new WebhookAnswer(null, true, null, $"delivery {delivery.DeliveryId} was received before; nothing is done twice")))
            : (recorded, null);
    }

    private static async Task<IResult> RecordAsync(
        IDeliveryStore store, TimeProvider time, NewDelivery delivery, PushEvent? push, int status, CancellationToken cancellationToken)
    {
        var (recorded, duplicate) = await AddAsync(store, time, delivery, push, delivery.Action, cancellationToken);
        if (recorded is null)
        {
            return duplicate!;
        }
        if (status >= 400)
        {
            return TypedResults.Problem(statusCode: status, detail: $"{delivery.Reason} (recorded as delivery {recorded.Id})",
                extensions: new Dictionary<string, object?> { ["deliveryId"] = recorded.Id });
        }
        var answer = new WebhookAnswer(recorded.Id, false, recorded.Action.ToString().ToLowerInvariant(), recorded.Reason);
        return TypedResults.Json(answer, statusCode: status);
    }

    private static IResult Problem(int status, string detail) => TypedResults.Problem(statusCode: status, detail: detail);
}
