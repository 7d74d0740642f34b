using Onward.Core.Sources;

namespace Onward.Testing.Fakes;

/// <summary>The refs last read from each service's repository, in memory: none until a first read is saved, then a copy of what was saved.</summary>
public sealed class FakeRefStateStore : IRefStateStore
{
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _heads = new(StringComparer.Ordinal);

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
}
