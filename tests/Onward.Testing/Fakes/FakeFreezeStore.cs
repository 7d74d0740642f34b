using Onward.Core.Freezes;

namespace Onward.Testing.Fakes;

public sealed class FakeFreezeStore : IFreezeStore
{
    private readonly List<EnvironmentFreeze> _freezes = [];

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
}
