namespace Onward.Core.Pipeline;

/// <summary>What <see cref="JobRetryPolicy"/> decided for a failed step.</summary>
public abstract record JobRetry
{
    /// <summary>Tried again after <paramref name="Backoff"/>.</summary>
    public sealed record Again(TimeSpan Backoff) : JobRetry;

    /// <summary>Ended with <paramref name="Reason"/>; <paramref name="Permanent"/> when no retry could have changed it.</summary>
    public sealed record GiveUp(string Reason, bool Permanent) : JobRetry;
}
