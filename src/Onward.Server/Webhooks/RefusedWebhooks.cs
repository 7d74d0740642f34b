using System.Collections.Concurrent;

namespace Onward.Server.Webhooks;

/// <summary>
/// Webhook requests refused before their signature was known to be right (unsigned, wrongly signed, too large). They
/// are never recorded as deliveries, so that nobody can claim a delivery id or fill the database without the secret;
/// they are counted here instead, and logged at most once per provider every <see cref="LogEvery"/>.
/// </summary>
public sealed class RefusedWebhooks(TimeProvider time, ILogger<RefusedWebhooks> logger)
{
    public static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(string Provider, string Reason), Tally> _tallies = new();
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    /// <summary>Every refusal since the server started, per provider and reason.</summary>
    public IReadOnlyList<(string Provider, string Reason, long Count, DateTimeOffset Last)> Counts =>
        _tallies.Select(t => (t.Key.Provider, t.Key.Reason, Volatile.Read(ref t.Value.Count), t.Value.Last)).OrderBy(t => t.Provider).ThenBy(t => t.Reason).ToList();

    public void Count(string provider, string reason, string? from)
    {
        var now = time.GetUtcNow();
        var tally = _tallies.GetOrAdd((provider, reason), _ => new Tally());
        Interlocked.Increment(ref tally.Count);
        tally.Last = now;
        var pending = _pending.GetOrAdd(provider, _ => new Pending());
        lock (pending)
        {
            pending.Since++;
            if (now - pending.LoggedAt < LogEvery)
            {
                return;
            }
            logger.LogWarning("Refused {Count} {Provider} webhook request(s) since the last report; the latest from {From}: {Reason}. Refused requests are not recorded",
                pending.Since, provider, from ?? "(unknown)", reason);
            pending.Since = 0;
            pending.LoggedAt = now;
        }
    }

    private sealed class Tally
    {
        public long Count;

        public DateTimeOffset Last;
    }

    private sealed class Pending
    {
        public long Since;

        public DateTimeOffset LoggedAt = DateTimeOffset.MinValue;
    }
}
