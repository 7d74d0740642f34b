namespace Onward.Core.Pipeline;

/// <summary>
/// An exception of an adapter that knows whether the failure it reports will pass: a registry answering 503 or a
/// refused connection may, a registry answering 401 or 404 will not.
/// </summary>
public interface IStepFailure
{
    /// <summary>Whether trying again cannot change the outcome.</summary>
    bool IsPermanent { get; }
}
