using Onward.Contracts.Deployments;
using Dapper;
using Onward.Core.Approvals;
using Onward.Core.Deployments;
using Onward.Core.Pipeline;
using Onward.Storage.Database;
using Onward.Storage.Deployments;
using Onward.Storage.Pipeline;

namespace Onward.Storage.Approvals;

public sealed class ApprovalStore(OnwardDatabase database, JobQueue jobs) : IApprovalStore
{
    public async Task<DecisionOutcome> DecideAsync(Approval approval, int required, DecisionWording wording, CancellationToken cancellationToken)
    {
        var at = UnixTime.From(approval.At);
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        // Everything below runs in one write transaction holding the deployment's row, so two decisions racing for the
        // last slot are taken one after the other: the second finds the deployment queued already and records nothing.
        var state = Enum.Parse<DeploymentState>(await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            $"SELECT state FROM deployments WHERE id = @DeploymentId{database.ForUpdate}", new { approval.DeploymentId }, transaction, cancellationToken: cancellationToken))
            ?? throw new InvalidOperationException($"deployment {approval.DeploymentId} does not exist"));
        var count = await CountApprovedAsync();
        if (state != DeploymentState.AwaitingApproval)
        {
            return new DecisionOutcome(DecisionResult.NotAwaiting, state, count);
        }
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO approvals (deployment_id, by_name, decision, comment, at) VALUES (@DeploymentId, @By, @decision, @Comment, @at)
            ON CONFLICT (deployment_id, by_name) DO NOTHING
            """,
            new { approval.DeploymentId, approval.By, decision = approval.Decision.ToString(), approval.Comment, at }, transaction, cancellationToken: cancellationToken));
        if (inserted == 0)
        {
            return new DecisionOutcome(DecisionResult.AlreadyDecided, state, count);
        }
        count = await CountApprovedAsync();
        var message = wording.Event(count);
        var (result, next) = approval.Decision == ApprovalDecision.Rejected ? (DecisionResult.Rejected, DeploymentState.Rejected)
            : count >= required ? (DecisionResult.Completed, DeploymentState.Queued)
            : (DecisionResult.Recorded, DeploymentState.AwaitingApproval);
        await DeploymentStore.TransitionAsync(connection, transaction, approval.DeploymentId, new Transition(DeploymentState.AwaitingApproval, next, approval.By, message)
        {
            Reason = next == DeploymentState.Rejected ? message : null,
            Waiting = next == DeploymentState.AwaitingApproval ? wording.StillWaiting(count) : null,
        }, at, cancellationToken);
        if (next != DeploymentState.AwaitingApproval)
        {
            await JobQueue.MakeDueAsync(connection, transaction, JobKind.Deploy, approval.DeploymentId, approval.At, cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
        if (next != DeploymentState.AwaitingApproval)
        {
            jobs.Notify();
        }
        return new DecisionOutcome(result, next, count);

        Task<int> CountApprovedAsync() => connection.ExecuteScalarAsync<int>(new CommandDefinition(
            $"SELECT COUNT(*) FROM approvals WHERE deployment_id = @DeploymentId AND decision = {SqlNames.Of(ApprovalDecision.Approved)}",
            new { approval.DeploymentId }, transaction, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<Approval>> ListAsync(long deploymentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long DeploymentId, string By, string Decision, string? Comment, long At)>(new CommandDefinition(
            "SELECT deployment_id, by_name, decision, comment, at FROM approvals WHERE deployment_id = @deploymentId ORDER BY id",
            new { deploymentId }, cancellationToken: cancellationToken));
        return rows.Select(r => new Approval(r.DeploymentId, r.By, Enum.Parse<ApprovalDecision>(r.Decision), r.Comment, UnixTime.To(r.At))).ToList();
    }
}
