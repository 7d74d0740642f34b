namespace Onward.Core.LocalProcesses;

/// <summary>The stable port of each service in each <c>local</c> environment, assigned once and kept across restarts.</summary>
public interface ILocalPortStore
{
    /// <summary>The port recorded for the pair, or records <paramref name="proposed"/> when it has none (and that port is free in the records).</summary>
    Task<int?> GetOrAssignAsync(string service, string environment, int proposed, CancellationToken cancellationToken);
}
