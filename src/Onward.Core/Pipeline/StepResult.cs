namespace Onward.Core.Pipeline;

/// <summary>
/// What one step of a pipeline reports. A step never waits: it returns <see cref="Pending"/> and the worker runs it
/// again after <c>RecheckAfter</c>, on this server or any other that shares the database.
/// </summary>
public abstract record StepResult
{
    public static StepResult Done(string? output = null) => new Succeeded(output);

    public static StepResult Fail(string reason, string? diagnosis = null) => new Failed(reason, diagnosis);

    public static StepResult Wait(TimeSpan recheckAfter, string? progress = null) => new Pending(recheckAfter, progress);

    public sealed record Succeeded(string? Output) : StepResult;

    /// <param name="Reason">One line a person reads first.</param>
    /// <param name="Diagnosis">What a person needs to act: exit code, output tail, what was waited for.</param>
    public sealed record Failed(string Reason, string? Diagnosis) : StepResult;

    /// <param name="Progress">A progress line worth recording, or null when nothing changed.</param>
    public sealed record Pending(TimeSpan RecheckAfter, string? Progress) : StepResult;
}
