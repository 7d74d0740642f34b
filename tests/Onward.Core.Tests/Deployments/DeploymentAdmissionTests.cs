using Onward.Contracts.Deployments;
using Onward.Core.Access;
using Onward.Core.Deployments;

namespace Onward.Core.Tests.Deployments;

public class DeploymentAdmissionTests
{
    private static NewDeployment Request(DeploymentState state, DeploymentTrigger trigger = DeploymentTrigger.Manual, string? reason = "ship it") =>
        new("shop", "prod", 7, state, reason, "dave", trigger, null);

    [Fact]
    public void A_release_is_promoted_to_an_environment_once_and_other_requests_are_never_repeats()
    {
        DeploymentAdmission.IsRepeatedPromotion(Request(DeploymentState.Queued, DeploymentTrigger.Promotion), promotedBefore: 3).ShouldBeTrue();
        DeploymentAdmission.IsRepeatedPromotion(Request(DeploymentState.Queued, DeploymentTrigger.Promotion), promotedBefore: null).ShouldBeFalse();
        DeploymentAdmission.IsRepeatedPromotion(Request(DeploymentState.Queued, DeploymentTrigger.Manual), promotedBefore: 3).ShouldBeFalse();
    }

    [Theory]
    [InlineData(DeploymentState.Queued, true)]
    [InlineData(DeploymentState.AwaitingApproval, true)]
    [InlineData(DeploymentState.Blocked, false)]
    public void Only_a_deployment_that_waits_supersedes_the_older_waiting_ones(DeploymentState state, bool supersedes) =>
        DeploymentAdmission.Supersedes(Request(state)).ShouldBe(supersedes);

    [Fact]
    public void The_first_event_says_who_asked_why_what_it_waits_for_and_what_it_replaces()
    {
        var waiting = Request(DeploymentState.AwaitingApproval) with { Override = "incident 4711", Waiting = "1 approval from release-managers" };

        DeploymentAdmission.FirstMessage(waiting, [3, 5]).ShouldBe(
            "requested (manual): ship it; policies overridden: incident 4711; waits for 1 approval from release-managers; supersedes deployments 3, 5");
        DeploymentAdmission.FirstMessage(Request(DeploymentState.Blocked, reason: "forward-only: older"), []).ShouldBe("forward-only: older");
    }

    [Fact]
    public void A_superseded_deployment_ends_naming_the_request_that_replaced_it()
    {
        var transition = DeploymentAdmission.Supersession(DeploymentState.AwaitingApproval, 9, Request(DeploymentState.Queued, DeploymentTrigger.Promotion));

        transition.From.ShouldBe(DeploymentState.AwaitingApproval);
        transition.To.ShouldBe(DeploymentState.Superseded);
        transition.Message.ShouldBe("superseded by deployment 9 (promotion request of dave)");
        transition.Reason.ShouldBe("superseded by deployment 9");
    }

    [Theory]
    [InlineData("dave", Role.Deployer, true)]
    [InlineData("dan", Role.Deployer, false)]
    [InlineData("alice", Role.Approver, true)]
    [InlineData("root", Role.Admin, true)]
    public void A_deployer_cancels_only_their_own_request_and_approvers_any(string who, Role role, bool may)
    {
        var deployment = new Deployment(4, "shop", "prod", 7, "1.0.0", new string('a', 40), DeploymentState.AwaitingApproval, null, "dave",
            DeploymentTrigger.Manual, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, null, null);

        var whyNot = DeploymentRequests.WhyMayNotCancel(deployment, new Identity(who, role, []));

        (whyNot is null).ShouldBe(may);
        if (!may)
        {
            whyNot.ShouldBe("deployment 4 was requested by dave; a deployer cancels only their own requests, approvers and admins any");
        }
    }

    [Fact]
    public void The_terminal_states_are_one_set_for_everyone()
    {
        DeploymentStates.Terminal.ShouldBe([DeploymentState.Succeeded, DeploymentState.Failed, DeploymentState.Blocked, DeploymentState.Rejected,
            DeploymentState.Superseded, DeploymentState.Cancelled]);
        DeploymentState.Superseded.IsTerminal().ShouldBeTrue();
        DeploymentState.Verifying.IsTerminal().ShouldBeFalse();
    }
}
