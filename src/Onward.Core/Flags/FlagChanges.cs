using Onward.Contracts.Flags;
using Onward.Core.Access;
using Onward.Core.Configuration;

namespace Onward.Core.Flags;

/// <summary>
/// Changes to an environment's flags, for the API, the UI and the CLI alike: where the environment's flag changes need
/// approval, a change that could apply becomes a request; elsewhere it applies at once. Either way a change that cannot
/// apply is refused with its problems, so that approvers are never asked for one that would fail.
/// </summary>
public sealed class FlagChanges(FlagCatalog catalog, FlagApprovals approvals, TimeProvider time)
{
    public async Task<FlagChangeOutcome> SwitchAsync(string environment, string key, FlagSwitchOrder order, string comment, Identity who, CancellationToken cancellationToken)
    {
        if (Refused(who, environment, comment, required: true) is { } refused)
        {
            return refused;
        }
        if (order.Refusal() is { } refusal)
        {
            return new FlagChangeOutcome.Invalid(refusal, []);
        }
        comment = comment.Trim();
        if (approvals.Required(environment))
        {
            if ((await catalog.GetAsync(environment, cancellationToken)).Flags.GetValueOrDefault(key) is not { } effective)
            {
                return NoSuchFlag(environment, key);
            }
            var (_, _, problems) = EnvironmentFlags.Switch(effective, environment, order.Enabled, order.DefaultVariant, order.Targeting, who.Name, comment, time.GetUtcNow());
            return problems.Count > 0
                ? new FlagChangeOutcome.Invalid($"the switch cannot apply to {key}; nothing was requested", problems)
                : await RequestAsync(environment, FlagRequestKind.Switch, key, order.ToPayload(), who, comment, cancellationToken);
        }
        var (flag, cannot) = await catalog.SwitchAsync(environment, key, order.Enabled, order.DefaultVariant, order.Targeting, who.Name, comment, cancellationToken);
        return cannot.Count > 0 ? new FlagChangeOutcome.Invalid($"the switch cannot apply to {key}; nothing was changed", cannot)
            : flag is null ? NoSuchFlag(environment, key)
            : new FlagChangeOutcome.Applied(flag, 0);
    }

    /// <param name="comment">Optional: a request says "remove the switch on KEY" without one.</param>
    public async Task<FlagChangeOutcome> RemoveSwitchAsync(string environment, string key, string? comment, Identity who, CancellationToken cancellationToken)
    {
        if (Refused(who, environment, comment, required: false) is { } refused)
        {
            return refused;
        }
        comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        var notSwitched = new FlagChangeOutcome.NotFound($"{key} has no switch in {environment}; `GET …/flags` shows which flags are switched");
        if (approvals.Required(environment))
        {
            return (await catalog.GetAsync(environment, cancellationToken)).Flags.GetValueOrDefault(key)?.Switch is null
                ? notSwitched
                : await RequestAsync(environment, FlagRequestKind.RemoveSwitch, key, "{}", who, comment ?? $"remove the switch on {key}", cancellationToken);
        }
        if (!await catalog.RemoveSwitchAsync(environment, key, who.Name, comment, cancellationToken))
        {
            return notSwitched;
        }
        return new FlagChangeOutcome.Applied((await catalog.GetAsync(environment, cancellationToken)).Flags.GetValueOrDefault(key), 0);
    }

    /// <summary>Replaces the environment's own flag set with <paramref name="document"/> (flagd's format).</summary>
    public async Task<FlagChangeOutcome> ReplaceSetAsync(string environment, string document, string? comment, Identity who, CancellationToken cancellationToken)
    {
        if (Refused(who, environment, comment, required: false) is { } refused)
        {
            return refused;
        }
        if (approvals.Required(environment))
        {
            var (_, parsed) = FlagSet.Parse(document);
            return parsed.Count > 0
                ? new FlagChangeOutcome.Invalid($"the flag document has {Problems(parsed.Count)}; nothing was requested", parsed)
                : await RequestAsync(environment, FlagRequestKind.Set, null, document, who,
                    string.IsNullOrWhiteSpace(comment) ? "replace the environment's flag set" : comment.Trim(), cancellationToken);
        }
        var (count, problems) = await catalog.ReplaceEnvironmentSetAsync(environment, document, who.Name, cancellationToken);
        return problems.Count > 0
            ? new FlagChangeOutcome.Invalid($"the flag document has {Problems(problems.Count)}; nothing was changed", problems)
            : new FlagChangeOutcome.Applied(null, count);
    }

    private async Task<FlagChangeOutcome> RequestAsync(
        string environment, FlagRequestKind kind, string? key, string payload, Identity who, string comment, CancellationToken cancellationToken) =>
        new FlagChangeOutcome.Requested(await approvals.RequestAsync(environment, kind, key, payload, who.Name, comment, cancellationToken), approvals.Needs(environment));

    /// <summary>Who may change flags, and the comment every change keeps: said when neither the API nor a page got it right.</summary>
    private static FlagChangeOutcome? Refused(Identity who, string environment, string? comment, bool required) =>
        !who.MayOn(Permissions.ChangeFlags, null, environment)
            ? new FlagChangeOutcome.Forbidden(who.Teams.Count > 0 ? $"{who.Name} changes flags only where a team's role says so, not in {environment}" : "only a deployer, approver or admin changes flags")
        : required && string.IsNullOrWhiteSpace(comment) ? new FlagChangeOutcome.Invalid("say why in `comment`; switches are kept in the flag's history and the audit trail", [])
        : comment?.Trim().Length > FlagSwitch.LongestComment
            ? new FlagChangeOutcome.Invalid($"`comment` is {comment.Trim().Length} characters long; say why in at most {FlagSwitch.LongestComment}", [])
        : null;

    private static FlagChangeOutcome.NotFound NoSuchFlag(string environment, string key) =>
        new($"{environment} has no flag `{key}`; define it in the environment's flag set (PUT …/flags) or in a service's flags file first");

    private static string Problems(int count) => $"{count} problem{(count == 1 ? "" : "s")}";
}
