using Onward.Core.Pipeline;

namespace Onward.Testing.Fakes;

/// <summary>Named leases in memory: taken when free or run out, renewed by their holder only, released by their holder only.</summary>
public sealed class FakeLeaseStore(FakeDatabase database) : ILeaseStore
{
    private readonly Dictionary<string, (string Owner, DateTimeOffset Until)> _leases = new(StringComparer.Ordinal);

    public FakeLeaseStore()
        : this(new FakeDatabase())
    {
    }

    public Task<bool> TryHoldAsync(string name, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            if (_leases.TryGetValue(name, out var held) && held.Owner != owner && held.Until >= now)
            {
                return Task.FromResult(false);
            }
            _leases[name] = (owner, now + duration);
            return Task.FromResult(true);
        }
    }

    public Task<string?> HolderAsync(string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult(_leases.TryGetValue(name, out var held) && held.Until >= now ? held.Owner : null);
        }
    }

    public Task ReleaseAsync(string name, string owner, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            if (_leases.TryGetValue(name, out var held) && held.Owner == owner)
            {
                _leases.Remove(name);
            }
        }
        return Task.CompletedTask;
    }
}
