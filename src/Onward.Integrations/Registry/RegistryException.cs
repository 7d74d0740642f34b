namespace Onward.Integrations.Registry;

/// <summary>The registry said no, or could not be reached; the message says which and never holds a secret.</summary>
public sealed class RegistryException(string message, int? status = null) : Exception(message)
{
    public int? Status { get; } = status;
}
