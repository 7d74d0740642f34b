using Onward.Core.Freezes;

namespace Onward.Testing.Fakes;

public sealed class FakeFreezeStore : IFreezeStore
{
    private readonly List<EnvironmentFreeze> _freezes = [];
    private readonly HashSet<string> _windowsFrozen = new(StringComparer.Ordinal);
    private readonly HashSet<long> _runOutTold = [];
    private readonly Dictionary<string, DateTimeOffset?> _windowUntil = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _windowChangedAt = new(StringComparer.Ordinal);

    /// <summary>What was told: <c>freeze.started</c> or <c>freeze.ended</c>, the environment and the message.</summary>
    public List<(string Kind, string Environment, string Message)> Told { get; } = [];

    public Task<EnvironmentFreeze> SetAsync(string environment, DateTimeOffset until, string reason, string setBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var freeze = new EnvironmentFreeze(_freezes.Count + 1, environment, until, reason, setBy, now, null, null);
        _freezes.Add(freeze);
        return Task.FromResult(freeze);
    }

    public Task<IReadOnlyList<EnvironmentFreeze>> LiftAsync(string environment, string liftedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var lifted = _freezes.Where(f => f.Environment == environment && f.LiftedAt is null && f.Until > now).ToList();
        foreach (var freeze in lifted)
        {
            _freezes[_freezes.IndexOf(freeze)] = freeze with { LiftedAt = now, LiftedBy = liftedBy };
        }
        return Task.FromResult<IReadOnlyList<EnvironmentFreeze>>(lifted);
    }

    public Task<IReadOnlyList<EnvironmentFreeze>> ActiveAsync(string? environment, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<EnvironmentFreeze>>(_freezes.Where(f => (environment is null || f.Environment == environment) && f.LiftedAt is null && f.Until > now).ToList());

    public Task<IReadOnlyDictionary<string, DateTimeOffset>> WindowsFrozenAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, DateTimeOffset>>(_windowsFrozen.ToDictionary(e => e, e => _windowChangedAt[e], StringComparer.Ordinal));

    public Task<bool> EndRemovedWindowAsync(string environment, DateTimeOffset began, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var recorded = _windowsFrozen.Contains(environment) && _windowChangedAt[environment] == began && _windowsFrozen.Remove(environment);
        if (recorded)
        {
            Told.Add(("freeze.ended", environment, message));
        }
        return Task.FromResult(recorded);
    }

    public Task<bool> RecordWindowAsync(string environment, ActiveFreeze? window, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var known = _windowUntil.GetValueOrDefault(environment);
        var until = window?.Until;
        var recorded = window is not null
            ? !_windowsFrozen.Contains(environment)
                && (known is null || known < window.Until || (_windowChangedAt.TryGetValue(environment, out var changed) && changed < window.Began)) && _windowsFrozen.Add(environment)
            : _windowsFrozen.Contains(environment) && (known is null || known <= now) && _windowsFrozen.Remove(environment);
        if (recorded)
        {
            _windowUntil[environment] = until ?? known;
            _windowChangedAt[environment] = now;
            Told.Add((until is not null ? "freeze.started" : "freeze.ended", environment, message));
        }
        return Task.FromResult(recorded);
    }

    public Task<IReadOnlyList<EnvironmentFreeze>> TellRunOutAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ended = _freezes.Where(f => f.LiftedAt is null && f.Until <= now && f.Until > now.AddDays(-1) && _runOutTold.Add(f.Id)).ToList();
        Told.AddRange(ended.Select(f => ("freeze.ended", f.Environment, $"freeze of {f.Environment} ended")));
        return Task.FromResult<IReadOnlyList<EnvironmentFreeze>>(ended);
    }
}
