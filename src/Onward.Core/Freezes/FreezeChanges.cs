using System.Globalization;
using Onward.Contracts.Deployments;
using Onward.Contracts.Problems;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;

namespace Onward.Core.Freezes;

/// <summary>
/// An admin freezes an environment until a time, or lifts an ad-hoc freeze; the API and the UI alike. Lifting one
/// wakes the deployments it held, so that they go ahead now rather than at their next look.
/// </summary>
public sealed class FreezeChanges(ConfigSource configuration, EnvironmentFreezes freezes, IDeploymentStore deployments, IJobQueue jobs, TimeProvider time)
{
    private OnwardConfig config => configuration.Current;

    private static readonly FreezeOutcome.Forbidden Forbidden = new("only an admin freezes an environment or lifts a freeze");

    public async Task<FreezeOutcome> FreezeAsync(string environment, string? until, string? reason, Identity who, CancellationToken cancellationToken)
    {
        if (!who.May(Permissions.FreezeEnvironments))
        {
            return Forbidden;
        }
        if (config.FindEnvironment(environment) is not { } known)
        {
            return Unknown(environment);
        }
        if (string.IsNullOrWhiteSpace(until) || string.IsNullOrWhiteSpace(reason))
        {
            return new FreezeOutcome.Invalid(
                "send `until` (an ISO 8601 time such as 2026-12-01T08:00:00Z, or a duration from now such as 12h) and a written `reason`");
        }
        if (reason.Length > FieldLimits.Text)
        {
            return new FreezeOutcome.Invalid($"the reason is {reason.Length} characters long; keep it to {FieldLimits.Text}");
        }
        if (ReadUntil(until.Trim(), time.GetUtcNow(), out var end) is { } problem)
        {
            return new FreezeOutcome.Invalid(problem);
        }
        await freezes.SetAsync(known.Name, end, reason.Trim(), who.Name, cancellationToken);
        return new FreezeOutcome.Changed(known, await freezes.ActiveAsync(known, cancellationToken));
    }

    public async Task<FreezeOutcome> LiftAsync(string environment, Identity who, CancellationToken cancellationToken)
    {
        if (!who.May(Permissions.FreezeEnvironments))
        {
            return Forbidden;
        }
        if (config.FindEnvironment(environment) is not { } known)
        {
            return Unknown(environment);
        }
        var lifted = await freezes.LiftAsync(known.Name, who.Name, cancellationToken);
        if (lifted.Count == 0)
        {
            return new FreezeOutcome.NothingToLift(known.Policy.Freeze.Count > 0
                ? $"{known.Name} has no ad-hoc freeze to lift; its freeze windows come from onward.yaml, and an admin deploys during one with a written override"
                : $"{known.Name} is not frozen");
        }
        foreach (var waiting in await deployments.ListAsync(new DeploymentQuery(null, known.Name, DeploymentState.Queued, 1000), cancellationToken))
        {
            jobs.Wake(JobKind.Deploy, waiting.Id);
        }
        return new FreezeOutcome.Changed(known, await freezes.ActiveAsync(known, cancellationToken));
    }

    /// <summary>When a freeze requested for <paramref name="text"/> ends: a time, or a duration from now; what is wrong with it, or null.</summary>
    public static string? ReadUntil(string text, DateTimeOffset now, out DateTimeOffset until)
    {
        if (DurationText.TryParse(text, out var duration))
        {
            until = now + duration;
        }
        else if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out until))
        {
            return $"'{text}' is neither a time nor a duration; write e.g. 2026-12-01T08:00:00Z or 12h";
        }
        return until <= now ? $"{until:u} has passed; a freeze must end in the future" : null;
    }

    private FreezeOutcome.NotFound Unknown(string name) =>
        new($"unknown environment '{name}'; known environments: {string.Join(", ", config.Environments.Select(e => e.Name))}");
}
