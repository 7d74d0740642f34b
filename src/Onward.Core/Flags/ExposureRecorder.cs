using System.Collections.Concurrent;

namespace Onward.Core.Flags;

/// <summary>
/// Collects experiment exposures from OFREP evaluations without a database write per evaluation: only a user's first
/// evaluation of an experiment's flag is kept (later ones are a lookup in memory), and what was collected is written
/// in one batch per flush. The memory of users seen is bounded; when full it starts again, and the database keeps
/// each user's first exposure regardless.
/// </summary>
public sealed class ExposureRecorder(IExperimentStore store, TimeProvider time)
{
    public const int MostRemembered = 200_000;
    public const int MostPending = 50_000;
    private ConcurrentDictionary<(string, string, string), byte> _seen = new();
    private readonly ConcurrentQueue<Exposure> _pending = new();
    private int _pendingCount;
    private long _dropped;

    /// <summary>Exposures not recorded because more came between two flushes than <see cref="MostPending"/>.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Record(string environment, FlagDefinition flag, FlagResolution resolution, IReadOnlyDictionary<string, object?> context)
    {
        if (resolution.Reason != FlagReasons.TargetingMatch || resolution.Variant is null || !ExperimentResults.IsExperiment(flag)
            || context.GetValueOrDefault("targetingKey") is not string { Length: > 0 and <= Conversion.LongestTargetingKey } targetingKey)
        {
            return;
        }
        var seen = _seen;
        if (!seen.TryAdd((environment, flag.Key, targetingKey), 0))
        {
            return;
        }
        if (seen.Count > MostRemembered)
        {
            _seen = new ConcurrentDictionary<(string, string, string), byte>();
        }
        if (Interlocked.Increment(ref _pendingCount) > MostPending)
        {
            Interlocked.Decrement(ref _pendingCount);
            Interlocked.Increment(ref _dropped);
            return;
        }
        _pending.Enqueue(new Exposure(environment, flag.Key, targetingKey, resolution.Variant, time.GetUtcNow()));
    }

    /// <summary>Writes what was collected since the last flush.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = new List<Exposure>();
        while (batch.Count < MostPending && _pending.TryDequeue(out var exposure))
        {
            batch.Add(exposure);
            Interlocked.Decrement(ref _pendingCount);
        }
        try
        {
            await store.RecordExposuresAsync(batch, cancellationToken);
        }
        catch
        {
            foreach (var exposure in batch)
            {
                _pending.Enqueue(exposure);
                Interlocked.Increment(ref _pendingCount);
            }
            throw;
        }
    }
}
