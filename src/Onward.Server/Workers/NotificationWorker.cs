using Onward.Core.Configuration;
using Onward.Core.Notifications;
using Onward.Integrations.Notifications;
using Onward.Server.Hosting;
using Onward.Storage.Notifications;
using Onward.Core.Insight;
using Onward.Server.Insight;

namespace Onward.Server.Workers;

/// <summary>
/// Sends what the outbox holds: every second it gives new events a delivery per sink that wants them, claims the
/// deliveries due (a lease, so that one replica sends each) of the sinks not busy sending, and sends them apart from
/// deployments, each sink's in the order of their events and the sinks at once, without waiting for each other, so
/// that a slow or unreachable sink delays nothing else. A failed send is tried
/// again with exponential backoff from the sink's <c>backoff</c> (30 s by default, capped at an hour) for up to a day;
/// a 4xx answer (but 408 and 429) ends it at once with the answer recorded.
/// </summary>
public sealed class NotificationWorker(
    ConfigSource configuration, INotificationStore store, NotificationSender sender, CommitStatusReporter statuses, HostDeploymentReporter deployments,
    ServerIdentity identity, TimeProvider time,
    ILogger<NotificationWorker> logger)
    : BackgroundService
{
    private const int AtOnce = 16;
    private static readonly TimeSpan Look = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    /// <summary>The notifications of the configuration in force: a reload adds, changes or drops sinks at once.</summary>
    private Dictionary<string, NotificationConfig> Sinks => config.Notifications.ToDictionary(n => n.Name, StringComparer.Ordinal);

    private OnwardConfig config => configuration.Current;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // What each sink is sending now: a sink's next deliveries are claimed once it is done, other sinks go on meanwhile.
        var sending = new Dictionary<string, Task>(StringComparer.Ordinal);
        while (!stoppingToken.IsCancellationRequested)
        {
            var full = false;
            try
            {
                foreach (var done in sending.Where(s => s.Value.IsCompleted).Select(s => s.Key).ToList())
                {
                    sending.Remove(done);
                }
                await store.FanOutAsync(SinksOf, time.GetUtcNow(), stoppingToken);
                var due = await store.ClaimAsync(identity.Name, time.GetUtcNow(), Lease, AtOnce, [.. sending.Keys], stoppingToken);
                foreach (var sink in due.GroupBy(d => d.Sink))
                {
                    sending[sink.Key] = SendInOrderAsync(sink.OrderBy(d => d.Event.Id).ToList(), stoppingToken);
                }
                full = due.Count == AtOnce;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning("Sending notifications failed ({Reason}); trying again", e.Message);
            }
            if (full)
            {
                continue;
            }
            try
            {
                await Task.Delay(Look, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await Task.WhenAll(sending.Values);
    }

    /// <summary>
    /// Sends one sink's claimed deliveries in the order of their events, so that a commit's statuses (pending, then
    /// success) and a chat's messages arrive as things happened. When a status or host deployment about a commit is to
    /// be tried again, the later ones about that commit wait behind it; what is left when half the lease is gone (a
    /// slow sink) is given back unsent, before another replica could take it over.
    /// </summary>
    private async Task SendInOrderAsync(IReadOnlyList<NotificationDelivery> deliveries, CancellationToken stoppingToken)
    {
        var claimed = time.GetUtcNow();
        var waiting = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var delivery in deliveries)
            {
                if ((delivery.Event.Commit is { } commit && waiting.Contains(commit)) || time.GetUtcNow() - claimed > Lease / 2 || stoppingToken.IsCancellationRequested)
                {
                    await store.PutBackAsync(delivery.Id, identity.Name, CancellationToken.None);
                }
                else if (!await SendAsync(delivery, stoppingToken) && delivery.Event.Commit is not null && NotificationSinks.KeepsCommitOrder(delivery.Sink))
                {
                    waiting.Add(delivery.Event.Commit);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what was not recorded is sent again once its lease ends.
        }
        catch (Exception e)
        {
            logger.LogWarning("Sending to {Sink} failed ({Reason}); its deliveries are tried again once their lease ends", deliveries[0].Sink, e.Message);
        }
    }

    /// <summary>Sends one delivery and records how it went; answers false when it is to be tried again.</summary>
    private async Task<bool> SendAsync(NotificationDelivery delivery, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        var (report, toDeployments) = NotificationSinks.ReportOf(config, delivery.Sink) ?? default;
        var sink = Sinks.GetValueOrDefault(delivery.Sink);
        if (report is null && sink is null)
        {
            await store.RecordAsync(delivery.Id, identity.Name, SendOutcome.Refused(0, $"`{delivery.Sink}` is no longer in onward.yaml"), now, null, stoppingToken);
            return true;
        }
        var outcome = report is null ? await sender.SendAsync(sink!, delivery, config.Server.LinkBase, stoppingToken)
            : toDeployments ? await deployments.SendAsync(report, delivery, config.Server.LinkBase, stoppingToken)
            : await statuses.SendAsync(report, delivery, config.Server.LinkBase, stoppingToken);
        var backoff = sink?.Backoff ?? report!.Backoff;
        now = time.GetUtcNow();
        DateTimeOffset? retryAt = null;
        if (outcome.Retry)
        {
            var wait = backoff * Math.Pow(2, Math.Min(delivery.Attempts, 20));
            var next = now + (wait < LongestWait ? wait : LongestWait);
            if (next - delivery.CreatedAt <= NotificationStore.GiveUpAfter)
            {
                retryAt = next;
            }
            else
            {
                outcome = outcome with { Error = $"gave up after {delivery.Attempts + 1} attempts over a day; last: {outcome.Error}" };
            }
        }
        if (!outcome.Delivered)
        {
            logger.LogWarning("Notification {Delivery} ({Kind}) to {Sink} not sent (attempt {Attempt}): {Error}{Retry}",
                delivery.Id, delivery.Event.Kind, delivery.Sink, delivery.Attempts + 1, outcome.Error, retryAt is null ? "; not tried again" : $"; trying again at {retryAt:HH:mm:ss}");
        }
        await store.RecordAsync(delivery.Id, identity.Name, outcome, now, retryAt, CancellationToken.None);
        OnwardMetrics.NotificationAttempts.WithLabels(delivery.Sink, outcome.Delivered ? "sent" : retryAt is not null ? "retry" : "failed").Inc();
        return retryAt is null;
    }

    /// <summary>The notifications that want the event, and the service's commit statuses and host deployments when it reports them.</summary>
    private IEnumerable<string> SinksOf(NotificationEvent e)
    {
        // A preview tells its pull request (comment, commit statuses, the host's deployments), not the notifications.
        var preview = e.Service is not null && e.Environment is not null && config.FindService(e.Service)?.PreviewNumberOf(e.Environment) is not null;
        foreach (var sink in Sinks.Values.Where(s => !preview && s.Wants(e.Kind, e.Service, e.Environment)))
        {
            yield return sink.Name;
        }
        if (e.Service is not null && config.FindService(e.Service)?.Report is { } report)
        {
            if (NotificationKinds.Reported.Contains(e.Kind))
            {
                yield return NotificationSinks.Report + e.Service;
            }
            if (HostDeploymentReporter.Tells(report.Host, e.Kind))
            {
                yield return NotificationSinks.Deployments + e.Service;
            }
        }
    }
}
