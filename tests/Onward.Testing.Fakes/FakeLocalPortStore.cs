using Onward.Core.LocalProcesses;

namespace Onward.Testing.Fakes;

/// <summary>Ports of local processes in memory: the first port proposed for a service and environment is theirs for good; another one already taken is refused.</summary>
public sealed class FakeLocalPortStore : ILocalPortStore
{
    private readonly Dictionary<(string Service, string Environment), int> _ports = [];

    public Task<int?> GetOrAssignAsync(string service, string environment, int proposed, CancellationToken cancellationToken)
    {
        lock (_ports)
        {
            if (_ports.TryGetValue((service, environment), out var port))
            {
                return Task.FromResult<int?>(port);
            }
            if (_ports.ContainsValue(proposed))
            {
                return Task.FromResult<int?>(null);
            }
            _ports[(service, environment)] = proposed;
            return Task.FromResult<int?>(proposed);
        }
    }
}
