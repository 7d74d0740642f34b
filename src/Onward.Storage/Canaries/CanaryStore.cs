using Dapper;
using Onward.Core.Canaries;
using Onward.Core.Pipeline;
using Onward.Storage.Database;
using Onward.Storage.Deployments;
using Onward.Storage.Notifications;

namespace Onward.Storage.Canaries;

public sealed class CanaryStore(OnwardDatabase database) : ICanaryStore
{
    private const string Columns = """
        deployment_id AS DeploymentId, step AS Step, weight AS Weight, step_started_at AS StepStartedAt, passed_in_step AS PassedInStep,
        failures AS Failures, next_analysis_at AS NextAnalysisAt, requests_mark AS RequestsMark, asked AS Asked, asked_by AS AskedBy, approvals AS Approvals
        """;

    /// <summary>The longest detail kept of one judgement (a query, or why it failed).</summary>
    private const int MostDetail = 4000;

    public async Task<CanaryState?> GetAsync(long deploymentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<CanaryRow>(new CommandDefinition(
            $"SELECT {Columns} FROM canaries WHERE deployment_id = @deploymentId", new { deploymentId }, cancellationToken: cancellationToken));
        return row?.ToState();
    }

    public async Task SaveAsync(CanaryState state, bool clearAsked, CanaryNote? note, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO canaries (deployment_id, step, weight, step_started_at, passed_in_step, failures, next_analysis_at, requests_mark, asked, asked_by, approvals)
            VALUES (@DeploymentId, @Step, @Weight, @StepStartedAt, @PassedInStep, @Failures, @NextAnalysisAt, @RequestsMark, NULL, NULL, @Approvals)
            ON CONFLICT (deployment_id) DO UPDATE SET step = excluded.step, weight = excluded.weight, step_started_at = excluded.step_started_at,
                passed_in_step = excluded.passed_in_step, failures = excluded.failures, next_analysis_at = excluded.next_analysis_at,
                requests_mark = excluded.requests_mark,
                asked = CASE WHEN @clearAsked THEN NULL ELSE canaries.asked END,
                asked_by = CASE WHEN @clearAsked THEN NULL ELSE canaries.asked_by END,
                approvals = CASE WHEN canaries.step = excluded.step THEN canaries.approvals ELSE excluded.approvals END
            """, new
        {
            state.DeploymentId,
            state.Step,
            state.Weight,
            StepStartedAt = UnixTime.From(state.StepStartedAt),
            PassedInStep = state.PassedInStep ? 1 : 0,
            state.Failures,
            NextAnalysisAt = UnixTime.From(state.NextAnalysisAt),
            state.RequestsMark,
            Approvals = string.Join('\n', state.Approvals),
            clearAsked,
        }, write.Transaction, cancellationToken: cancellationToken));
        if (note is not null)
        {
            await DeploymentStore.AppendEventAsync(write.Connection, write.Transaction, state.DeploymentId, Actors.Onward, note.Message, note.At, cancellationToken);
            await NotificationOutbox.AddForDeploymentAsync(write.Connection, write.Transaction, note.Tell, state.DeploymentId, Actors.Onward, note.Message, UnixTime.From(note.At), cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
    }

    public async Task AddAnalysesAsync(long deploymentId, IReadOnlyList<CanaryAnalysis> analyses, CancellationToken cancellationToken)
    {
        if (analyses.Count == 0)
        {
            return;
        }
        await using var write = await database.BeginWriteAsync(cancellationToken);
        foreach (var analysis in analyses)
        {
            await write.Connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO canary_analyses (deployment_id, at, step, metric, value, baseline, verdict, detail)
                VALUES (@deploymentId, @at, @step, @metric, @value, @baseline, @verdict, @detail)
                """, new
            {
                deploymentId,
                at = UnixTime.From(analysis.At),
                step = analysis.Step,
                metric = analysis.Metric,
                value = Storable(analysis.Value),
                baseline = Storable(analysis.Baseline),
                verdict = analysis.Verdict,
                detail = analysis.Detail is { Length: > MostDetail } cut ? cut[..MostDetail] : analysis.Detail,
            }, write.Transaction, cancellationToken: cancellationToken));
        }
        await write.CommitAsync(cancellationToken);
    }

    /// <summary>SQLite cannot store NaN: kept as no value, and the verdict's detail says NaN.</summary>
    private static double? Storable(double? value) => value is { } v && double.IsNaN(v) ? null : value;

    public async Task<IReadOnlyList<CanaryAnalysis>> AnalysesAsync(long deploymentId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AnalysisRow>(new CommandDefinition("""
            SELECT at AS At, step AS Step, metric AS Metric, value AS Value, baseline AS Baseline, verdict AS Verdict, detail AS Detail
            FROM canary_analyses WHERE deployment_id = @deploymentId ORDER BY id DESC LIMIT @limit
            """, new { deploymentId, limit }, cancellationToken: cancellationToken));
        return rows.Reverse().Select(r => new CanaryAnalysis(UnixTime.To(r.At), (int)r.Step, r.Metric, r.Value, r.Baseline, r.Verdict, r.Detail)).ToList();
    }

    public async Task<bool> AskAsync(long deploymentId, string ask, string by, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var changed = await write.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE canaries SET asked = @ask, asked_by = @by WHERE deployment_id = @deploymentId AND asked IS NULL AND weight > 0 AND weight < 100",
            new { deploymentId, ask, by }, write.Transaction, cancellationToken: cancellationToken));
        if (changed > 0)
        {
            await DeploymentStore.AppendEventAsync(write.Connection, write.Transaction, deploymentId, by, message, now, cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
        return changed > 0;
    }


    public async Task SetFlagsAsync(long deploymentId, string document, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition("UPDATE canaries SET flags = @document WHERE deployment_id = @deploymentId",
            new { deploymentId, document }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<CanaryFlagSet>> RunningFlagsAsync(string environment, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long, string, string, string)>(new CommandDefinition($"""
            SELECT c.deployment_id, d.service, r.version, c.flags
            FROM canaries c JOIN deployments d ON d.id = c.deployment_id JOIN releases r ON r.id = d.release_id
            WHERE d.environment = @environment AND d.state = {SqlNames.Of(Onward.Contracts.Deployments.DeploymentState.Verifying)}
              AND c.weight > 0 AND c.weight < 100 AND c.flags IS NOT NULL
            """, new { environment }, cancellationToken: cancellationToken));
        return rows.Select(r => new CanaryFlagSet(r.Item1, r.Item2, r.Item3, r.Item4)).ToList();
    }

    public async Task<bool> ApproveStepAsync(long deploymentId, int step, string by, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Two approvals at once on PostgreSQL read the same list: the update holds only if the list is still the one
        // read, and the loser reads again.
        while (true)
        {
            await using var write = await database.BeginWriteAsync(cancellationToken);
            var approvals = await write.Connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                "SELECT approvals FROM canaries WHERE deployment_id = @deploymentId AND step = @step AND weight > 0 AND weight < 100",
                new { deploymentId, step }, write.Transaction, cancellationToken: cancellationToken));
            var names = approvals?.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            if (names is null || names.Contains(by, StringComparer.Ordinal))
            {
                return false;
            }
            names.Add(by);
            var changed = await write.Connection.ExecuteAsync(new CommandDefinition(
                "UPDATE canaries SET approvals = @approvals WHERE deployment_id = @deploymentId AND step = @step AND approvals = @before",
                new { deploymentId, step, approvals = string.Join('\n', names), before = approvals }, write.Transaction, cancellationToken: cancellationToken));
            if (changed == 0)
            {
                continue;
            }
            await DeploymentStore.AppendEventAsync(write.Connection, write.Transaction, deploymentId, by, message, now, cancellationToken);
            await write.CommitAsync(cancellationToken);
            return true;
        }
    }

    private sealed class CanaryRow
    {
        public long DeploymentId { get; init; }

        public long Step { get; init; }

        public long Weight { get; init; }

        public long StepStartedAt { get; init; }

        public long PassedInStep { get; init; }

        public long Failures { get; init; }

        public long NextAnalysisAt { get; init; }

        public long RequestsMark { get; init; }

        public string? Asked { get; init; }

        public string? AskedBy { get; init; }

        public string Approvals { get; init; } = "";

        public CanaryState ToState() => new(DeploymentId, (int)Step, (int)Weight, UnixTime.To(StepStartedAt), PassedInStep != 0, (int)Failures,
            UnixTime.To(NextAnalysisAt), RequestsMark, Asked, AskedBy, Approvals.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private sealed class AnalysisRow
    {
        public long At { get; init; }

        public long Step { get; init; }

        public string Metric { get; init; } = "";

        public double? Value { get; init; }

        public double? Baseline { get; init; }

        public string Verdict { get; init; } = "";

        public string? Detail { get; init; }
    }
}
