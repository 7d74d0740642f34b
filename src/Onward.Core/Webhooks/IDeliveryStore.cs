namespace Onward.Core.Webhooks;

/// <summary>Webhook deliveries, durably. Implemented by Onward.Storage.</summary>
public interface IDeliveryStore
{
    /// <summary>
    /// Records the delivery, and for one that builds queues its processing, in one transaction. Returns null when the
    /// provider's delivery id was seen before: nothing is done twice.
    /// </summary>
    Task<Delivery?> AddAsync(NewDelivery delivery, PushEvent? push, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Delivery?> GetAsync(long id, CancellationToken cancellationToken);

    /// <summary>The push a delivery reported, kept for its processing.</summary>
    Task<PushEvent?> PushOfAsync(long id, CancellationToken cancellationToken);

    /// <summary>Newest first; with <paramref name="before"/>, only deliveries with a smaller id (the next page).</summary>
    Task<IReadOnlyList<Delivery>> ListAsync(int limit, long? before, CancellationToken cancellationToken) => ListAsync(limit, before, null, null, cancellationToken);

    /// <summary>Newest first, only those from <paramref name="provider"/> and with <paramref name="action"/> when given.</summary>
    Task<IReadOnlyList<Delivery>> ListAsync(int limit, long? before, string? provider, DeliveryAction? action, CancellationToken cancellationToken);

    /// <summary>Records the outcome of processing: the release made (if any) and the final reason.</summary>
    Task CompleteAsync(long id, DeliveryAction action, string reason, long? releaseId, string? commit, CancellationToken cancellationToken);
}
