namespace Onward.Core.Pipeline;

/// <summary>
/// Sorts a step's exception into permanent (the release or deployment fails at once with the reason) and transient
/// (the step is tried again with backoff, each attempt in its timeline). What is not known to be permanent is
/// transient: timeouts, refused connections, 5xx and 429 answers, a database busy for a moment.
/// </summary>
public static class Failures
{
    public static bool IsPermanent(Exception e) => e switch
    {
        PermanentFailureException or FormatException => true,
        IStepFailure known => known.IsPermanent,
        _ => false,
    };

    /// <summary>Whether an HTTP status says the request itself is wrong (4xx), not that the server is busy or down (408, 429, 5xx).</summary>
    public static bool IsPermanentStatus(int status) => status is >= 400 and < 500 and not (408 or 425 or 429);
}
