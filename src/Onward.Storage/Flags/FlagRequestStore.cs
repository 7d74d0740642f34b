using Onward.Contracts.Flags;
using Onward.Core.Audit;
using Dapper;
using Onward.Core.Approvals;
using Onward.Core.Flags;
using Onward.Storage.Audit;
using Onward.Storage.Database;

namespace Onward.Storage.Flags;

public sealed class FlagRequestStore(OnwardDatabase database) : IFlagRequestStore
{
    private const string Columns = """
        id AS Id, environment AS Environment, kind AS Kind, flag_key AS FlagKey, payload AS Payload, requested_by AS RequestedBy, comment AS Comment,
        state AS State, created_at AS CreatedAt, outcome AS Outcome
        """;

    public async Task<FlagChangeRequest> AddAsync(FlagChangeRequest request, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var id = await write.Connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO flag_change_requests (environment, kind, flag_key, payload, requested_by, comment, state, created_at)
            VALUES (@Environment, @Kind, @Key, @Payload, @RequestedBy, @Comment, @State, @at) RETURNING id
            """, new { request.Environment, Kind = request.Kind.Name(), request.Key, request.Payload, request.RequestedBy, request.Comment, State = request.State.ToString(), at = UnixTime.From(request.CreatedAt) },
            write.Transaction, cancellationToken: cancellationToken));
        await AuditRows.InsertAsync(write.Connection, write.Transaction, request.CreatedAt, request.RequestedBy, "flag.requested", request.Environment,
            AuditMessages.FlagRequested(id, request), cancellationToken);
        await write.CommitAsync(cancellationToken);
        return request with { Id = id };
    }

    public async Task<FlagChangeRequest?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RequestRow>(new CommandDefinition(
            $"SELECT {Columns} FROM flag_change_requests WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToRequest();
    }

    public async Task<IReadOnlyList<FlagChangeRequest>> ListAsync(string environment, bool pendingOnly, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RequestRow>(new CommandDefinition($"""
            SELECT {Columns} FROM flag_change_requests WHERE environment = @environment AND (@pendingOnly = 0 OR state = 'Pending') ORDER BY id DESC LIMIT 200
            """, new { environment, pendingOnly = pendingOnly ? 1 : 0 }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToRequest()).ToList();
    }

    public async Task<bool> DecideAsync(long id, string by, ApprovalDecision decision, string? comment, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var inserted = await write.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO flag_change_decisions (request_id, decided_by, decision, comment, at)
            SELECT @id, @by, @decision, @comment, @at WHERE EXISTS (SELECT 1 FROM flag_change_requests WHERE id = @id AND state = 'Pending')
            ON CONFLICT (request_id, decided_by) DO NOTHING
            """, new { id, by, decision = decision.ToString(), comment, at = UnixTime.From(at) }, write.Transaction, cancellationToken: cancellationToken));
        if (inserted == 0)
        {
            return false;
        }
        var environment = await write.Connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT environment FROM flag_change_requests WHERE id = @id", new { id }, write.Transaction, cancellationToken: cancellationToken));
        var (action, message) = AuditMessages.FlagDecided(id, decision, comment);
        await AuditRows.InsertAsync(write.Connection, write.Transaction, at, by, action, environment, message, cancellationToken);
        await write.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<(string By, ApprovalDecision Decision, string? Comment, DateTimeOffset At)>> DecisionsAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<DecisionRow>(new CommandDefinition("""
            SELECT decided_by AS DecidedBy, decision AS Decision, comment AS Comment, at AS At FROM flag_change_decisions WHERE request_id = @id ORDER BY at
            """, new { id }, cancellationToken: cancellationToken));
        return rows.Select(r => (r.DecidedBy, Enum.Parse<ApprovalDecision>(r.Decision), r.Comment, UnixTime.To(r.At))).ToList();
    }

    public async Task EndAsync(long id, FlagRequestState state, string outcome, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE flag_change_requests SET state = @state, outcome = @outcome WHERE id = @id AND state = 'Pending'",
            new { id, state = state.ToString(), outcome }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }

    private sealed class RequestRow
    {
        public long Id { get; init; }

        public string Environment { get; init; } = "";

        public string Kind { get; init; } = "";

        public string? FlagKey { get; init; }

        public string Payload { get; init; } = "";

        public string RequestedBy { get; init; } = "";

        public string Comment { get; init; } = "";

        public string State { get; init; } = "";

        public long CreatedAt { get; init; }

        public string? Outcome { get; init; }

        public FlagChangeRequest ToRequest() =>
            new(Id, Environment, FlagRequestKinds.Parse(Kind), FlagKey, Payload, RequestedBy, Comment, Enum.Parse<FlagRequestState>(State), UnixTime.To(CreatedAt), Outcome);
    }

    private sealed class DecisionRow
    {
        public string DecidedBy { get; init; } = "";

        public string Decision { get; init; } = "";

        public string? Comment { get; init; }

        public long At { get; init; }
    }
}
