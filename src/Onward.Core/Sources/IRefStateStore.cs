namespace Onward.Core.Sources;

/// <summary>The ref heads last seen per service, so that only what changed since becomes a release.</summary>
public interface IRefStateStore
{
    /// <summary>Null when the service's repository has never been read.</summary>
    Task<IReadOnlyDictionary<string, string>?> GetAsync(string service, CancellationToken cancellationToken);

    Task SaveAsync(string service, IReadOnlyDictionary<string, string> heads, CancellationToken cancellationToken);
}
