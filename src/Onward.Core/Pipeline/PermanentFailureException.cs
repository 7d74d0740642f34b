namespace Onward.Core.Pipeline;

/// <summary>
/// A step failed for a reason that trying again will not change (a setting that cannot work, an image without a
/// command). The worker ends the release or deployment at once with <see cref="Exception.Message"/> as the reason,
/// instead of retrying it as it does failures that may pass (a timeout, a refused connection).
/// </summary>
public sealed class PermanentFailureException(string message) : Exception(message);
