using Onward.Contracts.Deployments;
using Onward.Core.Access;
using Onward.Core.Approvals;
using Onward.Core.Configuration;
using Onward.Core.Deployments;

namespace Onward.Core.Tests.Approvals;

public class ApprovalRulesTests
{
    private static readonly ApprovalPolicy Policy = new(1, ["release-managers"], false, false, TimeSpan.FromDays(3));

    private static readonly Deployment Requested = new(7, "shop", "prod", 1, "3f2a9c1", new string('3', 40), DeploymentState.AwaitingApproval, null, "alice",
        DeploymentTrigger.Manual, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, null, null);

    [Fact]
    public void The_requester_may_not_approve_their_own_request_unless_the_environment_allows_it()
    {
        var alice = new Identity("alice", Role.Approver, ["release-managers"]);

        ApprovalRules.WhyNot(Policy, ApprovalSubject.Of(Requested), alice, ApprovalDecision.Approved).ShouldBe("alice requested deployment 7 and cannot approve it; prod needs someone else (allowSelfApproval is false)");
        ApprovalRules.WhyNot(Policy with { AllowSelfApproval = true }, ApprovalSubject.Of(Requested), alice, ApprovalDecision.Approved).ShouldBeNull();
    }

    [Fact]
    public void Approvers_need_the_role_and_one_of_the_groups()
    {
        ApprovalRules.WhyNot(Policy, ApprovalSubject.Of(Requested), new Identity("bob", Role.Approver, ["release-managers"]), ApprovalDecision.Approved).ShouldBeNull();
        ApprovalRules.WhyNot(Policy, ApprovalSubject.Of(Requested), new Identity("dave", Role.Deployer, ["release-managers"]), ApprovalDecision.Approved)!.ShouldContain("needs approver");
        ApprovalRules.WhyNot(Policy, ApprovalSubject.Of(Requested), new Identity("root", Role.Admin, []), ApprovalDecision.Approved)!.ShouldContain("not in an approver group");
    }

    [Fact]
    public void Automatic_deployments_wait_for_approval_only_when_the_environment_includes_them()
    {
        ApprovalRules.Applies(Policy, DeploymentTrigger.Manual).ShouldBeTrue();
        ApprovalRules.Applies(Policy, DeploymentTrigger.Promotion).ShouldBeFalse();
        ApprovalRules.Applies(Policy with { IncludeAutoPromotions = true }, DeploymentTrigger.Promotion).ShouldBeTrue();
        ApprovalRules.Applies(null, DeploymentTrigger.Manual).ShouldBeFalse();
    }

    [Fact]
    public void Token_names_are_lowercase_and_never_the_names_onward_acts_under()
    {
        AccessTokens.Problem("alice", ["release-managers"]).ShouldBeNull();
        AccessTokens.Problem("Alice", [])!.ShouldContain("lowercase");
        AccessTokens.Problem("onward", [])!.ShouldContain("the name Onward itself acts under");
        AccessTokens.Problem("anonymous", [])!.ShouldContain("the name Onward itself acts under");
        AccessTokens.Problem("bob", ["Release Managers"])!.ShouldContain("not a valid group name");
    }

    [Fact]
    public void A_token_lifetime_is_a_duration_of_at_most_ten_years()
    {
        AccessTokens.ParseLifetime("90d", out var none).ShouldBe(TimeSpan.FromDays(90));
        none.ShouldBeNull();
        AccessTokens.ParseLifetime("99999999d", out var overflow).ShouldBeNull();
        overflow!.ShouldContain("not a duration");
        AccessTokens.ParseLifetime("20000d", out var tooLong).ShouldBeNull();
        tooLong!.ShouldContain("longer than ten years");
    }
}
