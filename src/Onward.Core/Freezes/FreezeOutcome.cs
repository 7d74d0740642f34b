using Onward.Core.Configuration;

namespace Onward.Core.Freezes;

/// <summary>What became of freezing an environment or lifting its freeze.</summary>
public abstract record FreezeOutcome
{
    /// <param name="Active">The freeze in force now (a window from onward.yaml may remain after a lift), or null.</param>
    public sealed record Changed(EnvironmentConfig Environment, ActiveFreeze? Active) : FreezeOutcome;

    public sealed record Invalid(string Detail) : FreezeOutcome;

    public sealed record NotFound(string Detail) : FreezeOutcome;

    /// <summary>The person may not freeze environments.</summary>
    public sealed record Forbidden(string Detail) : FreezeOutcome;

    /// <summary>There was no ad-hoc freeze to lift.</summary>
    public sealed record NothingToLift(string Detail) : FreezeOutcome;
}
