using Onward.Core.Sources;

namespace Onward.Testing.Fakes;

/// <summary>The refs last read from each service's repository, in memory: none until a first read is saved, then a copy of what was saved.</summary>
public sealed class FakeRefStateStore : IRefStateStore
{
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _heads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _warnings = new(StringComparer.Ordinal);

    public Task<IReadOnlyDictionary<string, string>?> GetAsync(string service, CancellationToken cancellationToken)
    {
        lock (_heads)
        {
            return Task.FromResult(_heads.GetValueOrDefault(service));
        }
    }

    public Task SaveAsync(string service, IReadOnlyDictionary<string, string> heads, CancellationToken cancellationToken)
    {
        lock (_heads)
        {
            _heads[service] = new Dictionary<string, string>(heads, StringComparer.Ordinal);
        }
        return Task.CompletedTask;
    }

    public Task<bool> SetWarningsAsync(string service, IReadOnlyList<string> warnings, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_heads)
        {
            var kept = _warnings.GetValueOrDefault(service) ?? [];
            if (kept.SequenceEqual(warnings, StringComparer.Ordinal))
            {
                return Task.FromResult(false);
            }
            if (warnings.Count == 0)
            {
                _warnings.Remove(service);
            }
            else
            {
                _warnings[service] = [.. warnings];
            }
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> WarningsAsync(CancellationToken cancellationToken)
    {
        lock (_heads)
        {
            return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(new Dictionary<string, IReadOnlyList<string>>(_warnings, StringComparer.Ordinal));
        }
    }
}
