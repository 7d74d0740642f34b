using Onward.Core.Configuration;
using Onward.Core.Releases;

namespace Onward.Core.Builds;

/// <summary>Builds releases. A step starts the build when it is not running yet and reports how it stands.</summary>
public interface IBuilder
{
    /// <summary>
    /// Idempotent: starts the build of <paramref name="release"/> if needed, then answers <c>Pending</c> while it
    /// runs, <c>Succeeded</c> with what it produced, or <c>Failed</c> with the log's tail.
    /// </summary>
    Task<BuildProgress> StepAsync(Release release, ServiceConfig service, CancellationToken cancellationToken);

    /// <summary>The build log as far as it is written, or null when the build never started.</summary>
    Task<string?> ReadLogAsync(Release release, CancellationToken cancellationToken);

    /// <summary>Stops a running build (timeout, shutdown of the service).</summary>
    Task CancelAsync(Release release, CancellationToken cancellationToken);

    /// <summary>Adds a line of Onward's own to the build log (an attempt that failed and is tried again).</summary>
    Task NoteAsync(Release release, string line, CancellationToken cancellationToken);
}
