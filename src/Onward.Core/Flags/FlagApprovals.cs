using Onward.Contracts.Flags;
using Onward.Core.Access;
using Onward.Core.Approvals;
using Onward.Core.Configuration;

namespace Onward.Core.Flags;

/// <summary>
/// Flag changes in environments whose policy has <c>flags: { approval: true }</c>: requested, decided by the same
/// approvers under the same rules as the environment's deployments (role approver, an approver group, nobody approves
/// their own request unless allowed), and applied when enough approvals are given.
/// </summary>
public sealed class FlagApprovals(ConfigSource configuration, IFlagRequestStore store, FlagCatalog catalog, TimeProvider time)
{
    private OnwardConfig config => configuration.Current;

    public bool Required(string environment) => config.FindEnvironment(environment)?.Policy is { FlagChangesNeedApproval: true, Approval: not null };

    public Task<FlagChangeRequest> RequestAsync(string environment, FlagRequestKind kind, string? key, string payload, string requestedBy, string comment, CancellationToken cancellationToken) =>
        store.AddAsync(new FlagChangeRequest(0, environment, kind, key, payload, requestedBy, comment, FlagRequestState.Pending, time.GetUtcNow(), null), cancellationToken);

    public string Needs(string environment) => ApprovalRules.Describe(config.FindEnvironment(environment)!.Policy.Approval!);

    /// <returns>The request after the decision, or why the decision was refused (with an HTTP-like status: 403, 404, 409).</returns>
    public async Task<(FlagChangeRequest? Request, int Status, string? Refusal)> DecideAsync(
        string environment, long id, Identity who, ApprovalDecision decision, string? comment, CancellationToken cancellationToken)
    {
        if (!Required(environment))
        {
            return (null, 404, $"flag changes in {environment} need no approval, so there are no requests to decide on");
        }
        if (await store.GetAsync(id, cancellationToken) is not { } request || request.Environment != environment)
        {
            return (null, 404, $"{environment} has no flag change request {id}; `onward flags requests --env {environment}` lists them");
        }
        var policy = config.FindEnvironment(environment)!.Policy.Approval!;
        request = await ExpireAsync(request, policy, cancellationToken);
        if (request.State != FlagRequestState.Pending)
        {
            return (request, 409, $"flag change request {id} is {request.State.ToString().ToLowerInvariant()} already" + (request.Outcome is { } ended ? $": {ended}" : ""));
        }
        if (ApprovalRules.WhyNot(policy, ApprovalSubject.Of(request), who, decision) is { } why)
        {
            return (request, 403, why);
        }
        if (!await store.DecideAsync(id, who.Name, decision, comment, time.GetUtcNow(), cancellationToken))
        {
            return (request, 409, $"{who.Name} has decided on flag change request {id} already");
        }
        if (decision == ApprovalDecision.Rejected)
        {
            await store.EndAsync(id, FlagRequestState.Rejected, $"rejected by {who.Name}" + (comment is { Length: > 0 } ? $": {comment}" : ""), cancellationToken);
        }
        else if ((await store.DecisionsAsync(id, cancellationToken)).Count(d => d.Decision == ApprovalDecision.Approved) >= policy.Required)
        {
            var (state, outcome) = await ApplyAsync(request, cancellationToken);
            await store.EndAsync(id, state, outcome, cancellationToken);
        }
        return (await store.GetAsync(id, cancellationToken), 200, null);
    }

    /// <summary>The environment's requests, newest first; pending ones past the approval expiry are ended as expired first.</summary>
    public async Task<IReadOnlyList<FlagChangeRequest>> ListAsync(string environment, bool pendingOnly, CancellationToken cancellationToken)
    {
        // Without approvals (say, since onward.yaml changed) requests are not listed: nobody may decide on them.
        if (!Required(environment))
        {
            return [];
        }
        var policy = config.FindEnvironment(environment)!.Policy.Approval!;
        var requests = new List<FlagChangeRequest>();
        foreach (var request in await store.ListAsync(environment, pendingOnly, cancellationToken))
        {
            var current = await ExpireAsync(request, policy, cancellationToken);
            if (!pendingOnly || current.State == FlagRequestState.Pending)
            {
                requests.Add(current);
            }
        }
        return requests;
    }

    /// <summary>A pending request nobody completed within the environment's approval expiry ends, as a deployment's would.</summary>
    private async Task<FlagChangeRequest> ExpireAsync(FlagChangeRequest request, ApprovalPolicy policy, CancellationToken cancellationToken)
    {
        if (request.State != FlagRequestState.Pending || request.CreatedAt + policy.Expiry > time.GetUtcNow())
        {
            return request;
        }
        var outcome = ApprovalRules.Expired(policy);
        await store.EndAsync(request.Id, FlagRequestState.Expired, outcome, cancellationToken);
        return request with { State = FlagRequestState.Expired, Outcome = outcome };
    }

    public Task<IReadOnlyList<(string By, ApprovalDecision Decision, string? Comment, DateTimeOffset At)>> DecisionsAsync(long id, CancellationToken cancellationToken) =>
        store.DecisionsAsync(id, cancellationToken);

    /// <summary>Applies an approved request in the requester's name, as the direct change would have been.</summary>
    private async Task<(FlagRequestState State, string Outcome)> ApplyAsync(FlagChangeRequest request, CancellationToken cancellationToken)
    {
        var actor = $"{request.RequestedBy} (approved request {request.Id})";
        switch (request.Kind)
        {
            case FlagRequestKind.Set:
                var (count, problems) = await catalog.ReplaceEnvironmentSetAsync(request.Environment, request.Payload, actor, cancellationToken);
                return problems.Count > 0
                    ? (FlagRequestState.Failed, "the document no longer applies: " + string.Join("; ", problems.Take(3)))
                    : (FlagRequestState.Applied, $"{request.Environment} now has {count} flag(s) of its own");
            case FlagRequestKind.Switch:
                var order = FlagSwitchOrder.FromPayload(request.Payload);
                var (flag, switchProblems) = await catalog.SwitchAsync(request.Environment, request.Key!, order.Enabled,
                    order.DefaultVariant, order.Targeting, actor, request.Comment, cancellationToken);
                return flag is null
                    ? (FlagRequestState.Failed, switchProblems.Count > 0 ? string.Join("; ", switchProblems) : $"{request.Environment} no longer has the flag {request.Key}")
                    : (FlagRequestState.Applied, $"{request.Key} switched");
            default:
                return await catalog.RemoveSwitchAsync(request.Environment, request.Key!, actor, request.Comment, cancellationToken)
                    ? (FlagRequestState.Applied, $"the switch on {request.Key} is removed")
                    : (FlagRequestState.Failed, $"{request.Key} has no switch any more");
        }
    }
}
