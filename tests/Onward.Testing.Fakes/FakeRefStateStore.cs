using Onward.Core.Sources;

namespace Onward.Testing.Fakes;

public sealed class FakeRefStateStore : IRefStateStore
{
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _heads = new(StringComparer.Ordinal);

    public Task<IReadOnlyDictionary<string, string>?> GetAsync(string service, CancellationToken cancellationToken) =>
        Task.FromResult(_heads.GetValueOrDefault(service));

    public Task SaveAsync(string service, IReadOnlyDictionary<string, string> heads, CancellationToken cancellationToken)
    {
        _heads[service] = heads;
        return Task.CompletedTask;
    }
}
