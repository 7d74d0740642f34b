namespace Onward.Core.Flags;

/// <summary>What became of a change to an environment's flags.</summary>
public abstract record FlagChangeOutcome
{
    /// <param name="Flag">The flag as it is now (null when a removed switch left no flag, or for a whole set).</param>
    /// <param name="Flags">For a set: how many flags the environment now has of its own.</param>
    public sealed record Applied(EffectiveFlag? Flag, int Flags) : FlagChangeOutcome;

    /// <summary>The environment's flag changes wait for approval: this request does.</summary>
    /// <param name="Needs">What it waits for, in words ("2 approvals from release-managers").</param>
    public sealed record Requested(FlagChangeRequest Request, string Needs) : FlagChangeOutcome;

    public sealed record Invalid(string Detail, IReadOnlyList<FlagProblem> Problems) : FlagChangeOutcome;

    public sealed record NotFound(string Detail) : FlagChangeOutcome;

    /// <summary>The person may not change flags.</summary>
    public sealed record Forbidden(string Detail) : FlagChangeOutcome;
}
