using Onward.Core.Configuration;
using Onward.Core.Targets;

namespace Onward.Core.Previews;

/// <summary>What a target does for previews beside deploying: says where one answers, and removes all of it.</summary>
public interface IPreviewTarget
{
    TargetKind Kind { get; }

    /// <summary>Where the preview answers, on its own target (the local target's stable port); null when the target cannot tell.</summary>
    Task<string?> AddressAsync(ServiceConfig service, EnvironmentConfig environment, CancellationToken cancellationToken);

    /// <summary>
    /// Removes what runs in the preview's environment (processes and the stable port; or the namespace Onward created,
    /// with everything in it). Idempotent.
    /// </summary>
    /// <returns>What was done, for the audit trail; null while it is still under way (the step looks again).</returns>
    Task<string?> DestroyAsync(string service, EnvironmentConfig environment, CancellationToken cancellationToken);
}
