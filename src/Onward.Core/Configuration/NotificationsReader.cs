using YamlDotNet.RepresentationModel;
using Onward.Core.Notifications;

namespace Onward.Core.Configuration;

/// <summary>
/// Reads <c>notifications</c>: a name per sink, e.g.
/// <c>ops: { webhook: { url: https://hooks.example/onward, secret: ${HOOK_SECRET} }, environments: [prod] }</c>.
/// </summary>
public sealed class NotificationsReader(NodeReader nodes)
{
    public List<NotificationConfig> Read(YamlNode? node, IReadOnlyCollection<string> environments, IReadOnlyCollection<string> services)
    {
        var sinks = new List<NotificationConfig>();
        if (node is null || nodes.AsMapping(node, "notifications") is not { } map)
        {
            return sinks;
        }
        foreach (var (name, value) in nodes.UniqueEntries(map, "notifications", "notification"))
        {
            var path = $"notifications.{name.Value}";
            nodes.CheckName(name, path, "notification");
            if (nodes.AsMapping(value, path) is not { } entry)
            {
                continue;
            }
            var keys = nodes.Keys(entry, path, "slack", "webhook", "events", "services", "environments", "backoff");
            var (slack, webhook) = (keys.Get("slack"), keys.Get("webhook"));
            if ((slack is null) == (webhook is null))
            {
                nodes.Problem(entry, path, slack is null ? "no sink: `slack` or `webhook` is missing" : "both `slack` and `webhook`: one sink per name",
                    "write `slack: { url: ${SLACK_WEBHOOK_URL} }` or `webhook: { url: https://hooks.example/onward, secret: ${HOOK_SECRET} }`, one per name");
                continue;
            }
            var kind = slack is not null ? NotificationSinkKind.Slack : NotificationSinkKind.Webhook;
            var sinkPath = path + (slack is not null ? ".slack" : ".webhook");
            if (nodes.AsMapping((slack ?? webhook)!, sinkPath) is not { } sink)
            {
                continue;
            }
            var sinkKeys = kind == NotificationSinkKind.Slack ? nodes.Keys(sink, sinkPath, "url") : nodes.Keys(sink, sinkPath, "url", "secret");
            var url = Url(nodes.Text(sinkKeys.Get("url"), sinkPath + ".url"), sink, sinkPath);
            var secret = kind == NotificationSinkKind.Webhook ? nodes.Text(sinkKeys.Get("secret"), sinkPath + ".secret")?.Value : null;
            if (kind == NotificationSinkKind.Webhook && string.IsNullOrEmpty(secret))
            {
                nodes.Problem(sink, sinkPath, "missing `secret`",
                    "set a secret, e.g. `secret: ${HOOK_SECRET}`: every event is signed with it (X-Onward-Signature-256), so that the receiver can tell it came from Onward");
            }
            var events = Names(keys.Get("events"), path + ".events", NotificationKinds.All.Select(k => k.Name()).ToList(), "event").Select(NotificationKinds.Parse).ToHashSet();
            var onlyServices = Names(keys.Get("services"), path + ".services", services, "service");
            var onlyEnvironments = Names(keys.Get("environments"), path + ".environments", environments, "environment");
            var (backoff, _) = Backoff(nodes, keys.Get("backoff"), path + ".backoff");
            if (url is null)
            {
                continue;
            }
            sinks.Add(new NotificationConfig(name.Value, kind, url, secret)
            {
                Events = events,
                Services = onlyServices,
                Environments = onlyEnvironments,
                Backoff = backoff,
            });
        }
        return sinks;
    }

    private Uri? Url(YamlScalar? value, YamlMapping sink, string path)
    {
        if (value is null)
        {
            nodes.Problem(sink, path, "missing `url`", "write where to send, e.g. `url: ${SLACK_WEBHOOK_URL}`");
            return null;
        }
        if (Uri.TryCreate(value.Value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0)
        {
            return url;
        }
        // The URL may be a credential itself (Slack's is): the problem names its shape, not its value.
        nodes.Problem(value, path + ".url", "not an http(s) URL", "write the full URL, e.g. `https://hooks.example/onward`, or a reference such as `${SLACK_WEBHOOK_URL}`");
        return null;
    }

    private HashSet<string> Names(YamlNode? node, string path, IReadOnlyCollection<string> known, string what)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (node is null)
        {
            return names;
        }
        foreach (var item in nodes.StringList(node, path))
        {
            if (known.Contains(item.Value))
            {
                names.Add(item.Value);
            }
            else
            {
                nodes.Problem(item, path, $"unknown {what} '{item.Value}'", $"use one of: {string.Join(", ", known)}{NodeReader.Suggest(item.Value, known)}");
            }
        }
        return names;
    }

    /// <summary>
    /// A first retry's wait (<c>backoff</c>, of a notification or a service's <c>report</c>): from 100ms to 1h, 30 s when
    /// left out; out of range is a problem (and answers the default, not valid).
    /// </summary>
    internal static (TimeSpan Value, bool Valid) Backoff(NodeReader nodes, YamlNode? node, string path)
    {
        var backoff = nodes.Duration(node, path);
        if (backoff is { } b && (b < TimeSpan.FromMilliseconds(100) || b > TimeSpan.FromHours(1)))
        {
            nodes.Problem(node!, path, "the first retry's wait must be from 100ms to 1h", "leave it out for 30s, or write e.g. `backoff: 10s`");
            return (TimeSpan.FromSeconds(30), false);
        }
        return (backoff ?? TimeSpan.FromSeconds(30), true);
    }
}
