namespace Onward.Core.Pipeline;

/// <summary>
/// What becomes of a job whose step threw: a failure that a retry cannot change ends the job at once; any other is
/// tried again with exponential backoff (500 ms after the first attempt, then 1 s, 2 s, … up to 30 s), until the eighth
/// attempt fails.
/// </summary>
public static class JobRetryPolicy
{
    public const int GiveUpAfterAttempts = 8;

    public static readonly TimeSpan LongestBackoff = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait after attempt number <paramref name="attempts"/> (1 for the first) failed.</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromMilliseconds(Math.Min(LongestBackoff.TotalMilliseconds, 250 * Math.Pow(2, attempts)));

    public static JobRetry Decide(Exception failure, int attempts) =>
        Failures.IsPermanent(failure) ? new JobRetry.GiveUp(failure.Message, Permanent: true)
        : attempts >= GiveUpAfterAttempts ? new JobRetry.GiveUp($"gave up after {attempts} attempts; last error: {failure.Message}", Permanent: false)
        : new JobRetry.Again(Backoff(attempts));
}
