using Onward.Core.Audit;

namespace Onward.Storage.Tests.Audit;

/// <summary>The audit trail on both databases and on the fakes: <see cref="AuditLogTestsOnSqlite"/>, <see cref="AuditLogTestsOnPostgres"/>, <see cref="AuditLogTestsOnFakes"/>.</summary>
public abstract class AuditLogTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Tokens_and_freezes_are_in_the_audit_trail_with_who_did_it()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var now = StorageFixture.Now;

        var token = await db.Tokens.AddAsync(new Core.Access.NewAccessToken("alice", Core.Access.Role.Approver, ["release-managers"], "hash-1", "root"), now, None);
        await db.Freezes.SetAsync("prod", now.AddHours(2), "incident 4711", "root", now, None);
        (await db.Freezes.ActiveAsync("prod", now.AddHours(1), None)).ShouldHaveSingleItem();
        (await db.Freezes.ActiveAsync("prod", now.AddHours(3), None)).ShouldBeEmpty();
        (await db.Freezes.LiftAsync("prod", "bob", now.AddMinutes(5), None)).ShouldHaveSingleItem();
        (await db.Tokens.RevokeAsync("alice", null, "root", now.AddMinutes(6), None)).ShouldHaveSingleItem().Id.ShouldBe(token.Id);
        (await db.Tokens.FindActiveAsync("hash-1", now.AddMinutes(7), None)).ShouldBeNull();

        var trail = await db.Audit.ListAsync(new AuditQuery(null, null, null, 10), None);
        trail.Select(e => (e.Actor, e.Action, e.Environment)).ShouldBe([
            ("root", "token.revoked", null), ("bob", "freeze.lifted", "prod"), ("root", "freeze.set", "prod"), ("root", "token.created", null)]);
        trail[2].Message.ShouldBe("prod frozen until 2026-11-26 14:00 UTC: incident 4711");
    }
}

public sealed class AuditLogTestsOnSqlite : AuditLogTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class AuditLogTestsOnPostgres : AuditLogTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}

public sealed class AuditLogTestsOnFakes : AuditLogTests
{
    protected override StorageBackend Backend => StorageBackend.Fakes;
}
