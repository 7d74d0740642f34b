using Onward.Core.Pipeline;
using Onward.Core.Webhooks;

namespace Onward.Testing.Fakes;

/// <summary>Webhook deliveries in memory: each provider's delivery id once, with a delivery job for each one that builds.</summary>
public sealed class FakeDeliveryStore(FakeDatabase database) : IDeliveryStore
{
    private readonly List<(Delivery Delivery, PushEvent? Push)> _deliveries = [];

    public FakeDeliveryStore()
        : this(new FakeDatabase())
    {
    }

    public IReadOnlyList<Delivery> All
    {
        get
        {
            lock (database.Gate)
            {
                return _deliveries.Select(d => d.Delivery).ToList();
            }
        }
    }

    public Task<Delivery?> AddAsync(NewDelivery delivery, PushEvent? push, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            if (_deliveries.Any(d => d.Delivery.Provider == delivery.Provider && d.Delivery.DeliveryId == delivery.DeliveryId))
            {
                return Task.FromResult<Delivery?>(null);
            }
            var added = new Delivery(_deliveries.Count + 1, delivery.Provider, delivery.Event, delivery.DeliveryId, now, delivery.Repository, delivery.Ref,
                delivery.RefKind, delivery.Name, delivery.Commit, delivery.Forced, delivery.Action, delivery.Reason, null);
            _deliveries.Add((added, push));
            if (delivery.Action == DeliveryAction.Build)
            {
                database.Jobs.Enqueue(JobKind.Delivery, added.Id, now);
            }
            return Task.FromResult<Delivery?>(added);
        }
    }

    public Task<Delivery?> GetAsync(long id, CancellationToken cancellationToken) => Task.FromResult(All.FirstOrDefault(d => d.Id == id));

    public Task<PushEvent?> PushOfAsync(long id, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult(_deliveries.FirstOrDefault(d => d.Delivery.Id == id).Push);
        }
    }

    public Task<IReadOnlyList<Delivery>> ListAsync(int limit, long? before, string? provider, DeliveryAction? action, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Delivery>>(All
            .Where(d => (before is null || d.Id < before) && (provider is null || d.Provider == provider) && (action is null || d.Action == action))
            .OrderByDescending(d => d.Id).Take(limit).ToList());

    public Task CompleteAsync(long id, DeliveryAction action, string reason, long? releaseId, string? commit, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var index = _deliveries.FindIndex(d => d.Delivery.Id == id);
            if (index >= 0)
            {
                var (delivery, push) = _deliveries[index];
                _deliveries[index] = (delivery with { Action = action, Reason = reason, ReleaseId = releaseId, Commit = commit ?? delivery.Commit }, push);
            }
        }
        return Task.CompletedTask;
    }
}
