namespace Onward.Core.Sources;

/// <summary>The ref heads last seen per service, so that only what changed since becomes a release.</summary>
public interface IRefStateStore
{
    /// <summary>Null when the service's repository has never been read.</summary>
    Task<IReadOnlyDictionary<string, string>?> GetAsync(string service, CancellationToken cancellationToken);

    Task SaveAsync(string service, IReadOnlyDictionary<string, string> heads, CancellationToken cancellationToken);

    /// <summary>Keeps what the last look at the service's repository found wrong (none: it went well).</summary>
    /// <returns>Whether that changes what was kept, so that a change is logged once, by whichever replica looked.</returns>
    Task<bool> SetWarningsAsync(string service, IReadOnlyList<string> warnings, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The services whose repository has warnings, with them.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> WarningsAsync(CancellationToken cancellationToken);
}
