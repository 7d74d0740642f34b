using Onward.Contracts.Notifications;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Onward.Core.Configuration;
using Onward.Core.Notifications;

namespace Onward.Integrations.Notifications;

/// <summary>
/// Sends one notification to one sink: Slack's incoming-webhook JSON (which Mattermost and Rocket.Chat accept too), or
/// Onward's own JSON event signed with HMAC-SHA256. Answers how it went, never throwing for the sink's sake, and never
/// naming the sink's URL (a Slack URL is a credential).
/// </summary>
public sealed class NotificationSender(HttpClient http)
{
    public const string SignatureHeader = "X-Onward-Signature-256";
    public const string EventHeader = "X-Onward-Event";
    public const string DeliveryHeader = "X-Onward-Delivery";

    public async Task<SendOutcome> SendAsync(NotificationConfig sink, NotificationDelivery delivery, Uri linkBase, CancellationToken cancellationToken)
    {
        var body = sink.Kind == NotificationSinkKind.Slack ? SlackBody(delivery.Event, linkBase) : WebhookBody(delivery, linkBase);
        using var request = new HttpRequestMessage(HttpMethod.Post, sink.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.ParseAdd("Onward");
        if (sink.Kind == NotificationSinkKind.Webhook)
        {
            request.Headers.Add(EventHeader, delivery.Event.Kind.Name());
            request.Headers.Add(DeliveryHeader, delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(SignatureHeader, Signature(sink.Secret!, body));
        }
        return await Delivery.PostAsync(http, request, sink.Url.Host, cancellationToken);
    }

    /// <summary><c>sha256=</c> and the hex HMAC-SHA256 of the body with the sink's secret, as GitHub signs its webhooks.</summary>
    public static string Signature(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Where the event is seen in the web UI.</summary>
    public static Uri Link(NotificationEvent e, Uri linkBase) => new(linkBase,
        e.DeploymentId is { } deployment ? $"deployments/{deployment}"
        : e.ReleaseId is { } release ? $"releases/{release}"
        : e.Kind == NotificationKind.FlagChanged && e.Environment is { } flags ? $"environments/{Uri.EscapeDataString(flags)}/flags"
        : "environments");

    /// <summary>One line of text with the service, environment, version, who, why and the link.</summary>
    public static string Text(NotificationEvent e, Uri linkBase)
    {
        var what = $"{e.Service} {e.Version}".Trim();
        var line = e.Kind switch
        {
            NotificationKind.Succeeded => $"✅ {what} verified in {e.Environment} (by {e.Actor})",
            NotificationKind.Failed => $"❌ {what} failed in {e.Environment} (by {e.Actor}): {e.Message}",
            NotificationKind.AwaitingApproval => $"⏳ {what} waits for approval to go to {e.Environment} (requested by {e.Actor}): {e.Message}",
            NotificationKind.Blocked => $"⛔ {what} is blocked from {e.Environment} (by {e.Actor}): {e.Message}",
            NotificationKind.Restored => $"↩️ {e.Environment}: {e.Message} (after {what} failed)",
            NotificationKind.BuildFailed => $"❌ the build of {what} failed: {e.Message}",
            NotificationKind.FreezeStarted => $"🧊 {e.Message} (by {e.Actor})",
            NotificationKind.FreezeEnded => $"🔓 {e.Message} (by {e.Actor})",
            NotificationKind.CanaryStep => $"🐤 {what} in {e.Environment}: {e.Message}",
            NotificationKind.CanaryFailed => $"🐤❌ {what} in {e.Environment}: {e.Message}",
            _ => $"🚩 {e.Message} (by {e.Actor})",
        };
        return $"{line} — {Link(e, linkBase)}";
    }

    private static byte[] SlackBody(NotificationEvent e, Uri linkBase) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["text"] = Text(e, linkBase) });

    /// <summary>Onward's event, as README's "Notifications" documents it.</summary>
    public static byte[] WebhookBody(NotificationDelivery delivery, Uri linkBase)
    {
        var e = delivery.Event;
        return JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["id"] = e.Id,
            ["type"] = e.Kind.Name(),
            ["occurredAt"] = e.At.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["service"] = e.Service,
            ["environment"] = e.Environment,
            ["version"] = e.Version,
            ["commit"] = e.Commit,
            ["deploymentId"] = e.DeploymentId,
            ["releaseId"] = e.ReleaseId,
            ["actor"] = e.Actor,
            ["message"] = e.Message,
            ["text"] = Text(e, linkBase),
            ["url"] = Link(e, linkBase).ToString(),
        });
    }
}
