using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Onward.Core.Flags;

/// <summary>
/// Every environment's flags: changes them (the environment's own set, a release's set, switches), recording each
/// change in the history, and keeps each environment's effective flags compiled in memory, rebuilt only when they change.
/// </summary>
public sealed class FlagCatalog(IFlagStore store, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, EnvironmentFlags> _built = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _writers = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>Raised after an environment's flags changed, with the environment's name.</summary>
    public event Action<string>? Changed;

    public async Task<EnvironmentFlags> GetAsync(string environment, CancellationToken cancellationToken)
    {
        if (_built.TryGetValue(environment, out var built))
        {
            return built;
        }
        var sets = await store.SetsAsync(environment, cancellationToken);
        var switches = await store.SwitchesAsync(environment, cancellationToken);
        built = EnvironmentFlags.Build(environment, sets, switches, Interlocked.Increment(ref _version));
        return _built.GetOrAdd(environment, built);
    }

    /// <summary>
    /// Another replica changed <paramref name="environment"/>'s flags (null: perhaps any environment's, after changes
    /// may have been missed): they are read again when next asked for, and <see cref="Changed"/> tells this replica's
    /// streams.
    /// </summary>
    public void ChangedElsewhere(string? environment)
    {
        foreach (var name in environment is null ? _built.Keys.ToArray() : [environment])
        {
            Invalidate(name);
        }
    }

    /// <summary>Replaces the environment's own set. Problems (with JSON paths) leave everything as it was.</summary>
    public Task<(int Flags, IReadOnlyList<FlagProblem> Problems)> ReplaceEnvironmentSetAsync(
        string environment, string document, string actor, CancellationToken cancellationToken) =>
        WriteAsync(environment, async () =>
        {
            var (parsed, problems) = FlagSet.Parse(document);
            if (parsed is null || problems.Count > 0)
            {
                return (0, problems);
            }
            var current = await GetAsync(environment, cancellationToken);
            var conflicts = Conflicts(current, parsed, owner: null);
            if (conflicts.Count > 0)
            {
                return (0, conflicts);
            }
            var set = new StoredFlagSet(environment, null, document, null, null, actor, time.GetUtcNow());
            await SaveSetAsync(current, set, parsed, FlagChangeSources.Environment, null, cancellationToken);
            return (parsed.Flags.Count, (IReadOnlyList<FlagProblem>)[]);
        }, cancellationToken);

    /// <summary>What stops <paramref name="service"/>'s flag document from becoming its set in the environment, in a sentence; null when nothing does.</summary>
    public async Task<string?> CheckReleaseSetAsync(string environment, string service, string path, string document, CancellationToken cancellationToken)
    {
        var (parsed, problems) = FlagSet.Parse(document);
        if (parsed is null || problems.Count > 0)
        {
            return $"its flags file {path} is not a valid flag document: {string.Join("; ", problems.Take(5))}";
        }
        var conflicts = Conflicts(await GetAsync(environment, cancellationToken), parsed, service);
        return conflicts.Count == 0 ? null : $"its flags file {path} defines flags that are not its own in {environment}: {string.Join("; ", conflicts.Take(5).Select(c => c.Message))}";
    }

    /// <summary>Makes <paramref name="document"/> the service's set in the environment (a release verified or restored); returns what changed, in words.</summary>
    public Task<string?> ShipReleaseSetAsync(
        string environment, string service, string document, long deploymentId, string version, CancellationToken cancellationToken) =>
        WriteAsync(environment, async () =>
        {
            var current = await GetAsync(environment, cancellationToken);
            var existing = current.Flags.Values.FirstOrDefault(f => f.Source.Service == service)?.Source;
            if (existing?.Document == document && existing.DeploymentId == deploymentId)
            {
                return null;
            }
            if (FlagSet.Parse(document).Set is not { } parsed)
            {
                return null;
            }
            var set = new StoredFlagSet(environment, service, document, deploymentId, version, $"release {version}", time.GetUtcNow());
            var changed = await SaveSetAsync(current, set, parsed, FlagChangeSources.Release, deploymentId, cancellationToken);
            return changed.Count == 0 ? null : $"flags: {Describe(changed)}";
        }, cancellationToken);

    /// <summary>Switches one flag: the given parts replace the switch's, the others stay. Null flag: no such key; problems: nothing changed.</summary>
    public Task<(EffectiveFlag? Flag, IReadOnlyList<FlagProblem> Problems)> SwitchAsync(
        string environment, string key, bool? enabled, string? defaultVariant, JsonObject? targeting, string actor, string comment, CancellationToken cancellationToken) =>
        WriteAsync<(EffectiveFlag?, IReadOnlyList<FlagProblem>)>(environment, async () =>
        {
            var current = await GetAsync(environment, cancellationToken);
            if (!current.Flags.TryGetValue(key, out var effective))
            {
                return (null, []);
            }
            var (flagSwitch, switched, problems) = EnvironmentFlags.Switch(effective, environment, enabled, defaultVariant, targeting, actor, comment, time.GetUtcNow());
            if (switched is null)
            {
                return (null, problems);
            }
            await store.SaveSwitchAsync(flagSwitch, new FlagChange(0, environment, key, actor, flagSwitch.At, comment, FlagChangeSources.Switch,
                effective.Flag.ToJson(), switched.ToJson(), null), cancellationToken);
            Invalidate(environment);
            return ((await GetAsync(environment, cancellationToken)).Flags[key], problems);
        }, cancellationToken);

    /// <summary>Removes the switch on a flag, so that its source's definition applies again; false when there was none.</summary>
    public Task<bool> RemoveSwitchAsync(string environment, string key, string actor, string? comment, CancellationToken cancellationToken) =>
        WriteAsync(environment, async () =>
        {
            var current = await GetAsync(environment, cancellationToken);
            var before = current.Flags.GetValueOrDefault(key);
            var after = before is null ? null : FlagSet.Parse(before.Source.Document).Set?.Flags.GetValueOrDefault(key);
            var removed = await store.RemoveSwitchAsync(environment, key,
                new FlagChange(0, environment, key, actor, time.GetUtcNow(), comment, FlagChangeSources.SwitchRemoved, before?.Flag.ToJson(), after?.ToJson(), null), cancellationToken);
            Invalidate(environment);
            return removed;
        }, cancellationToken);

    public Task<IReadOnlyList<FlagChange>> HistoryAsync(string environment, string? key, int limit, long? before, CancellationToken cancellationToken) =>
        store.HistoryAsync(environment, key, limit, before, cancellationToken);

    private async Task<IReadOnlyList<(string Key, string What)>> SaveSetAsync(
        EnvironmentFlags current, StoredFlagSet set, FlagSet parsed, string source, long? deploymentId, CancellationToken cancellationToken)
    {
        var previousKeys = current.Flags.Values.Where(f => f.Source.Service == set.Service).Select(f => f.Flag.Key);
        var next = EnvironmentFlags.Build(set.Environment,
            current.Flags.Values.Select(f => f.Source).Where(s => s.Service != set.Service).Distinct().Append(set),
            current.Flags.Values.Select(f => f.Switch).OfType<FlagSwitch>().Concat(current.OrphanSwitches), 0);
        var changes = new List<FlagChange>();
        var described = new List<(string, string)>();
        foreach (var key in previousKeys.Union(parsed.Flags.Keys).Order(StringComparer.Ordinal))
        {
            var before = current.Flags.GetValueOrDefault(key)?.Flag.ToJson();
            var after = next.Flags.GetValueOrDefault(key)?.Flag.ToJson();
            if (JsonNode.DeepEquals(before, after))
            {
                continue;
            }
            changes.Add(new FlagChange(0, set.Environment, key, set.Actor, set.UpdatedAt, null, source, before, after, deploymentId));
            described.Add((key, before is null ? "added" : after is null ? "removed" : "changed"));
        }
        await store.SaveSetAsync(set, changes, cancellationToken);
        Invalidate(set.Environment);
        return described;
    }

    private static List<FlagProblem> Conflicts(EnvironmentFlags current, FlagSet parsed, string? owner) =>
        parsed.Flags.Keys
            .Where(key => current.Flags.TryGetValue(key, out var existing) && existing.Source.Service != owner)
            .Select(key => new FlagProblem($"$.flags.{key}",
                $"`{key}` belongs to {Owner(current.Flags[key].Source)} in {current.Environment}; a key has one owner, so rename it or remove it there first"))
            .ToList();

    private static string Owner(StoredFlagSet set) => set.Service is null ? "the environment's own flag set" : $"{set.Service}'s release flags";

    private static string Describe(IReadOnlyList<(string Key, string What)> changed) =>
        string.Join(", ", changed.GroupBy(c => c.What).Select(g => $"{string.Join(", ", g.Take(10).Select(c => c.Key))}{(g.Count() > 10 ? $" and {g.Count() - 10} more" : "")} {g.Key}"));

    private void Invalidate(string environment)
    {
        _built.TryRemove(environment, out _);
        Changed?.Invoke(environment);
    }

    /// <summary>
    /// Runs a change to <paramref name="environment"/>'s flags while no other change to them runs, in this process or in
    /// another replica, on flags read afresh: a change is never decided on what another replica has changed since.
    /// </summary>
    private async Task<T> WriteAsync<T>(string environment, Func<Task<T>> write, CancellationToken cancellationToken)
    {
        var gate = _writers.GetOrAdd(environment, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var turn = await store.LockAsync(environment, cancellationToken);
            _built.TryRemove(environment, out _);
            return await write();
        }
        finally
        {
            gate.Release();
        }
    }
}
