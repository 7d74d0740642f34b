using System.Text.Json.Nodes;
using Onward.Contracts.Flags;
using Onward.Core.Access;
using Onward.Core.Approvals;
using Onward.Core.Audit;
using Onward.Core.Flags;
using Onward.Core.Freezes;

namespace Onward.Core.Tests.Audit;

/// <summary>The audit trail's words, as every store writes them.</summary>
public class AuditMessagesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Tokens_and_sessions_are_told_with_their_role_groups_limits_and_what_ended()
    {
        AuditMessages.TokenCreated(7, new NewAccessToken("web", Role.Sdk, [], "hash", "root") { ExpiresAt = Now.AddDays(90), Environment = "prod" })
            .ShouldBe("token 7 for web created with role sdk and no groups, expiring 2027-02-24 12:00 UTC, for the flags of prod only");
        AuditMessages.TokenRevoked(new AccessToken(7, "alice", Role.Approver, ["release-managers"], Now, "root", Now), 2)
            .ShouldBe("token 7 of alice revoked, ending 2 web sessions");
        AuditMessages.SessionEnded(3, "alice", "ended by root").ShouldBe("web session 3 of alice ended: ended by root");
    }

    [Fact]
    public void Freezes_are_told_with_their_end_in_utc_and_who_set_them()
    {
        var freeze = new EnvironmentFreeze(1, "prod", Now.ToOffset(TimeSpan.FromHours(2)).AddHours(2), "release train", "alice", Now, null, null);

        AuditMessages.FreezeSet("prod", freeze.Until, "release train").ShouldBe("prod frozen until 2026-11-26 14:00 UTC: release train");
        AuditMessages.FreezeLifted(freeze).ShouldBe("freeze of prod set by alice (release train) lifted");
        AuditMessages.FreezeRanOut(freeze).ShouldBe("freeze of prod set by alice (release train) ended at 2026-11-26 14:00 UTC");
    }

    [Fact]
    public void Flag_changes_name_what_changed_and_requests_their_kind_by_its_api_name()
    {
        var before = new JsonObject { ["state"] = "ENABLED", ["defaultVariant"] = "off" };
        var after = new JsonObject { ["state"] = "DISABLED", ["defaultVariant"] = "off" };

        AuditMessages.FlagChanged(new FlagChange(0, "prod", "shout", "dave", Now, "too loud", "switch", before, after, null))
            .ShouldBe(("flag.switch", "flag shout changed (state): too loud"));
        AuditMessages.FlagChanged(new FlagChange(0, "prod", "shout", "dave", Now, null, "release flags", null, after, 4)).ShouldBe(("flag.release-flags", "flag shout added"));
        AuditMessages.FlagRequested(5, new FlagChangeRequest(0, "prod", FlagRequestKind.RemoveSwitch, "shout", "{}", "dave", "back to normal", FlagRequestState.Pending, Now, null))
            .ShouldBe("flag change request 5 (remove-switch shout) waits for approval: back to normal");
        AuditMessages.FlagDecided(5, ApprovalDecision.Rejected, "not now").ShouldBe(("flag.rejected", "flag change request 5 rejected: not now"));
    }
}
