using Onward.Core.Access;

namespace Onward.Storage.Tests.Access;

/// <summary>Tokens on both databases and on the fakes: <see cref="TokenStoreTestsOnSqlite"/>, <see cref="TokenStoreTestsOnPostgres"/>, <see cref="TokenStoreTestsOnFakes"/>.</summary>
public abstract class TokenStoreTests
{
    protected abstract StorageBackend Backend { get; }

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_token_stops_working_when_it_expires()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var now = StorageFixture.Now;

        await db.Tokens.AddAsync(new Core.Access.NewAccessToken("ci-bot", Core.Access.Role.Deployer, [], "hash-2", "root") { ExpiresAt = now.AddDays(90) }, now, None);

        (await db.Tokens.FindActiveAsync("hash-2", now.AddDays(89), None)).ShouldNotBeNull().ExpiresAt.ShouldBe(now.AddDays(90));
        (await db.Tokens.FindActiveAsync("hash-2", now.AddDays(90), None)).ShouldBeNull();
    }

    [Fact]
    public async Task A_web_session_lasts_while_its_token_does_and_revoking_the_token_ends_its_sessions_in_the_trail()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        var now = StorageFixture.Now;
        var token = await db.Tokens.AddAsync(new NewAccessToken("alice", Role.Viewer, [], "token-hash", "root"), now, None);
        var session = await db.Sessions.StartAsync(token.Id, "alice", "session-hash", now, now.AddHours(8), "127.0.0.1", "test", None);
        var other = await db.Sessions.StartAsync(token.Id, "alice", "other-hash", now, now.AddHours(8), null, null, None);

        (await db.Sessions.FindActiveAsync("session-hash", now.AddHours(1), None)).ShouldNotBeNull().Token.Id.ShouldBe(token.Id);
        (await db.Sessions.FindActiveAsync("session-hash", now.AddHours(9), None)).ShouldBeNull("expired");
        (await db.Sessions.EndAsync(other.Id, SessionEndings.SignedOut, "alice", now, None)).ShouldBeTrue();
        (await db.Sessions.EndAsync(other.Id, SessionEndings.SignedOut, "alice", now, None)).ShouldBeFalse("ended once");
        await db.Tokens.RevokeAsync(null, token.Id, "root", now.AddMinutes(5), None);

        (await db.Sessions.IsActiveAsync(session.Id, now.AddMinutes(6), None)).ShouldBeFalse();
        (await db.Sessions.ListAsync(token.Id, null, activeOnly: false, now.AddMinutes(6), 10, null, None)).Select(s => s.EndedReason)
            .ShouldBe([SessionEndings.SignedOut, SessionEndings.TokenRevoked]);
        (await db.Audit.ListAsync(new Core.Audit.AuditQuery(null, null, null, 10), None))[0].Message.ShouldBe($"token {token.Id} of alice revoked, ending 1 web session");
    }
}


public sealed class TokenStoreTestsOnSqlite : TokenStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class TokenStoreTestsOnPostgres : TokenStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}

public sealed class TokenStoreTestsOnFakes : TokenStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Fakes;
}
