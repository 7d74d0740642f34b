using Onward.Core.Pipeline;

namespace Onward.Integrations.Registry;

/// <summary>
/// The registry said no, or could not be reached; the message says which and never holds a secret. A refusal (401,
/// 403, 404) is permanent; a registry that cannot be reached or answers 5xx or 429 may answer later.
/// </summary>
public sealed class RegistryException(string message, int? status = null) : Exception(message), IStepFailure
{
    public int? Status { get; } = status;

    public bool IsPermanent => Status is { } status && Failures.IsPermanentStatus(status);
}
