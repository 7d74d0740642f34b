using System.Net;
using System.Text.Json;
using Onward.Contracts.Approvals;
using Onward.Contracts.Audit;
using Onward.Contracts.Deployments;
using Onward.Contracts.Environments;
using Onward.Contracts.Tokens;
using Onward.Testing;

namespace Onward.Server.Tests.Production;

/// <summary>
/// Issue 6: release candidates promoted by themselves (proposal I), main-branch releases requested and approved
/// (proposal II), forward-only with a recorded override, freezes, and roles, over the real HTTP API and CLI on the
/// local target with real git histories.
/// </summary>
public class ProductionTests
{
    private const string Approval = "approval: { required: 1, approvers: [release-managers] }";

    internal static string Yaml(int port, string repository, string prodPolicy, string serviceExtra = "") => TestConfig.Yaml(port,
        [TestConfig.AutoEnvironment("dev-1"), TestConfig.AutoEnvironment("dev-2"), TestConfig.ManualEnvironment("prod", prodPolicy)],
        [SampleService.ServiceYaml("shop", repository) + serviceExtra], "auth: { mode: tokens }");

    private static Task<DeploymentResponse> StateAsync(OnwardApi api, long id, DeploymentState state) =>
        Eventually.WaitAsync(async () => await api.DeploymentAsync(id) is { } d && d.State == state ? d : null, $"deployment {id} to be {state}");

    [Fact]
    public async Task A_version_tag_flows_from_development_to_production_with_no_human_step()
    {
        await using var setup = await ProductionSetup.StartAsync($"{{ requires: [dev-1, dev-2], autoPromote: releaseCandidates, {Approval} }}", "ok", "release 1.0.0");
        var (repo, team, commit) = (setup.Repo, setup.Team, setup.FirstCommit);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-2", commit);
        await repo.TagAsync("1.0.0");

        var prod = await team["vera"].FinishedDeploymentAsync("shop", "prod", commit);

        prod.State.ShouldBe(DeploymentState.Succeeded);
        prod.Release.Version.ShouldBe("1.0.0");
        prod.Trigger.ShouldBe("promotion");
        prod.RequestedBy.ShouldBe("onward");
        prod.Approvals.ShouldBeEmpty();
        prod.Events[0].Message.ShouldContain("release candidate 1.0.0 succeeded in dev-1, dev-2");
        (await team["vera"].DeploymentsAsync("shop", "prod")).ShouldHaveSingleItem("the main-branch release of the same commit is no release candidate");
        (await OnwardApi.AnswerAsync($"http://127.0.0.1:{(await team["vera"].GetAsync<EnvironmentResponse[]>("api/v1/environments")).Single(e => e.Name == "prod").Target.Ports!["shop"]}/"))
            .ShouldContain("1.0.0");
    }

    [Fact]
    public async Task A_promotion_waits_for_approval_when_the_environment_includes_automatic_deployments()
    {
        await using var setup = await ProductionSetup.StartAsync("{ requires: [dev-1], autoPromote: releaseCandidates, approval: { required: 1, approvers: [release-managers], includeAutoPromotions: true } }", "ok", "release 2.0.0");
        var (repo, team, commit) = (setup.Repo, setup.Team, setup.FirstCommit);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-1", commit);
        await repo.TagAsync("2.0.0");

        var pending = await Eventually.WaitAsync(async () => (await team["vera"].GetAsync<PendingApprovalResponse[]>("api/v1/approvals?state=pending")).FirstOrDefault(),
            "the promotion of 2.0.0 to wait for approval");
        pending.Deployment.ShouldSatisfyAllConditions(
            d => d.Release.Version.ShouldBe("2.0.0"), d => d.Trigger.ShouldBe("promotion"), d => d.RequestedBy.ShouldBe("onward"));
        (await team["alice"].DecideAsync(pending.Deployment.Id, comment: "go")).Status.ShouldBe(HttpStatusCode.OK);

        (await StateAsync(team["vera"], pending.Deployment.Id, DeploymentState.Succeeded)).Approvals.ShouldHaveSingleItem().By.ShouldBe("alice");
    }

    [Fact]
    public async Task Creating_a_token_with_an_unknown_role_is_a_usage_error_that_names_the_roles()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        await repo.CommitAsync("one");
        await File.WriteAllTextAsync(dir.Combine("onward.yaml"), Yaml(Ports.Free(), repo.Path, "{}"));

        var result = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "mallory", "--role", "superuser");

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("unknown role 'superuser'; use viewer, deployer, approver, admin, or sdk (with an environment) for an OpenFeature SDK");
    }

    [Fact]
    public async Task A_release_candidate_that_failed_in_a_required_environment_is_never_promoted()
    {
        // dev-2 fails at once and dev-1 succeeds 8 s later (ample on a loaded machine), so that the decision falls when dev-1
        // succeeds, knowing of the failure.
        await using var setup = await ProductionSetup.StartAsync("{ requires: [dev-1, dev-2], autoPromote: releaseCandidates }", "crash-in:dev-2 slow-in:dev-1:8000", "release 1.1.0");
        var (repo, team, commit) = (setup.Repo, setup.Team, setup.FirstCommit);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-2", commit);
        await repo.TagAsync("1.1.0");

        var inDev = await Eventually.WaitAsync(async () =>
        {
            var all = (await team["vera"].DeploymentsAsync("shop")).Where(d => d.Release.Version == "1.1.0").ToList();
            return all.Count == 2 && all.All(d => d.State is DeploymentState.Succeeded or DeploymentState.Failed) ? all : null;
        }, "1.1.0 to end in both development environments");

        inDev.Single(d => d.Environment == "dev-2").State.ShouldBe(DeploymentState.Failed);
        var dev1 = inDev.Single(d => d.Environment == "dev-1");
        dev1.State.ShouldBe(DeploymentState.Succeeded);
        await Eventually.WaitAsync(async () => (await team["vera"].DeploymentAsync(dev1.Id)).Events.Any(e => e.Message == "not promoted to prod: 1.1.0 failed in dev-2"),
            "the promotion decision to be recorded");
        (await team["vera"].DeploymentsAsync("shop", "prod")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_main_commit_waits_for_approval_the_requester_cannot_approve_it_and_a_second_approver_completes_it()
    {
        await using var setup = await ProductionSetup.StartAsync($"{{ requires: [dev-1, dev-2], {Approval} }}", "ok", "feature");
        var (repo, team, commit) = (setup.Repo, setup.Team, setup.FirstCommit);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-1", commit);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-2", commit);

        var (status, _, requested) = await team["alice"].RequestAsync("shop", "prod", commit[..7], reason: "ship the feature");
        status.ShouldBe(HttpStatusCode.Accepted);
        requested!.State.ShouldBe(DeploymentState.AwaitingApproval);
        requested.Waiting.ShouldBe("1 approval from release-managers");

        var (selfStatus, selfProblem, _) = await team["alice"].DecideAsync(requested.Id);
        selfStatus.ShouldBe(HttpStatusCode.Forbidden);
        selfProblem!.Detail.ShouldBe($"alice requested deployment {requested.Id} and cannot approve it; prod needs someone else (allowSelfApproval is false)");

        var pending = await team.CliAsync("bob", "approvals", "list");
        pending.ExitCode.ShouldBe(0, pending.Error);
        pending.Output.ShouldMatch($@"(?m)^\s*{requested.Id}\s+shop\s+prod\s+{commit[..7]}\s+alice\s+0/1\s+release-managers");
        var approved = await team.CliAsync("bob", "deployments", "approve", $"{requested.Id}", "--comment", "checked the dashboards");
        approved.ExitCode.ShouldBe(0, approved.Error);

        var prod = await team["vera"].FinishedDeploymentAsync("shop", "prod", commit);
        prod.State.ShouldBe(DeploymentState.Succeeded);
        prod.RequestedBy.ShouldBe("alice");
        prod.Approvals.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            a => a.By.ShouldBe("bob"), a => a.Decision.ShouldBe("approved"), a => a.Comment.ShouldBe("checked the dashboards"));
        prod.Events.ShouldContain(e => e.Actor == "bob" && e.State == DeploymentState.Queued && e.Message == "approved by bob (1 of 1): checked the dashboards");
        (await team["vera"].GetAsync<PendingApprovalResponse[]>("api/v1/approvals?state=pending")).ShouldBeEmpty();

        using var anonymous = new HttpClient { BaseAddress = team.Server };
        (await anonymous.GetAsync("metrics")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "metrics need a token, as the API does");
        (await team["vera"].Http.GetStringAsync("metrics")).ShouldContain("onward_deployments_total{service=\"shop\",environment=\"prod\",trigger=\"manual\",outcome=\"succeeded\"} 1");
    }

    [Fact]
    public async Task A_release_that_has_not_succeeded_in_every_required_environment_is_blocked_with_the_missing_ones()
    {
        await using var setup = await ProductionSetup.StartAsync("{ requires: [dev-1, dev-2] }", "crash-in:dev-2", "works in dev-1 only");
        var (repo, team, commit) = (setup.Repo, setup.Team, setup.FirstCommit);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-2", commit);

        var (status, problem, _) = await team["dave"].RequestAsync("shop", "prod", commit[..7]);

        status.ShouldBe(HttpStatusCode.Conflict);
        problem!.Detail.ShouldStartWith($"prerequisites: {commit[..7]} has not succeeded in dev-2 yet, which prod requires first");
        (await team["vera"].DeploymentAsync(problem.DeploymentId!.Value)).State.ShouldBe(DeploymentState.Blocked);
    }

    [Fact]
    public async Task An_older_commit_is_refused_for_production_and_an_admin_override_goes_through_approval_and_is_recorded()
    {
        await using var setup = await ProductionSetup.StartAsync($"{{ requires: [dev-1], {Approval} }}", "ok", "older");
        var (repo, team, older) = (setup.Repo, setup.Team, setup.FirstCommit);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-1", older);
        var newer = await repo.CommitAsync("newer");
        await team["vera"].FinishedDeploymentAsync("shop", "dev-1", newer);
        var (_, _, first) = await team["alice"].RequestAsync("shop", "prod", newer[..7]);
        await team["bob"].DecideAsync(first!.Id);
        (await team["vera"].FinishedDeploymentAsync("shop", "prod", newer)).State.ShouldBe(DeploymentState.Succeeded);

        var (refused, problem, _) = await team["dave"].RequestAsync("shop", "prod", older[..7]);
        refused.ShouldBe(HttpStatusCode.Conflict);
        problem!.Detail.ShouldStartWith($"forward-only: {older[..7]} is older than prod's current commit {newer[..7]}");
        var (notAdmin, _, _) = await team["dave"].RequestAsync("shop", "prod", older[..7], overrideReason: "I know better");
        notAdmin.ShouldBe(HttpStatusCode.Forbidden);

        var (accepted, _, overridden) = await team["root"].RequestAsync("shop", "prod", older[..7], overrideReason: "roll back: newer corrupts invoices");
        accepted.ShouldBe(HttpStatusCode.Accepted);
        overridden!.State.ShouldBe(DeploymentState.AwaitingApproval, "an override sets policies aside, not the two-person rule");
        await team["bob"].DecideAsync(overridden.Id, comment: "agreed in the incident call");
        var done = await StateAsync(team["vera"], overridden.Id, DeploymentState.Succeeded);

        done.Override.ShouldBe("roll back: newer corrupts invoices");
        done.Events[0].ShouldSatisfyAllConditions(
            e => e.Actor.ShouldBe("root"), e => e.Message.ShouldContain("policies overridden: roll back: newer corrupts invoices"));
        var shown = await team.CliAsync("vera", "deployments", "show", $"{overridden.Id}");
        shown.Output.ShouldContain("override");
        shown.Output.ShouldContain("approved by bob (1 of 1): agreed in the incident call");
        var audit = await team["vera"].GetAsync<AuditEntryResponse[]>("api/v1/audit?environment=prod");
        audit.ShouldContain(e => e.Actor == "root" && e.DeploymentId == overridden.Id && e.Message.Contains("policies overridden", StringComparison.Ordinal));
        audit.ShouldContain(e => e.Actor == "dave" && e.Action == "deployment.blocked" && e.Message.StartsWith("forward-only", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_freeze_window_holds_an_approved_deployment_until_it_ends_and_refuses_manual_requests_meanwhile()
    {
        // Friday 17:50 UTC of next week; the window opens at 18:00 and lasts until Monday 08:00.
        var today = DateTimeOffset.UtcNow.Date;
        var friday = new DateTimeOffset(today.AddDays(7 + ((int)DayOfWeek.Friday - (int)today.DayOfWeek + 7) % 7), TimeSpan.Zero);
        var clock = new ShiftedClock(friday.AddHours(17).AddMinutes(50));
        await using var setup = await ProductionSetup.StartAsync($"{{ requires: [dev-1], {Approval}, freeze: [ {{ cron: \"0 18 * * FRI\", duration: 62h, timezone: UTC }} ] }}", "ok", "weekend release", clock);
        var (repo, team, commit) = (setup.Repo, setup.Team, setup.FirstCommit);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-1", commit);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-2", commit);
        var (_, _, requested) = await team["alice"].RequestAsync("shop", "prod", commit[..7]);
        requested!.State.ShouldBe(DeploymentState.AwaitingApproval);

        clock.AdvanceTo(friday.AddHours(18).AddMinutes(5));
        var (refused, problem, _) = await team["dave"].RequestAsync("shop", "prod", commit[..7]);
        var (approvedStatus, _, approved) = await team["bob"].DecideAsync(requested.Id);

        refused.ShouldBe(HttpStatusCode.Conflict);
        problem!.Detail!.ShouldContain("freeze: prod is in its freeze window \"0 18 * * FRI\"");
        approvedStatus.ShouldBe(HttpStatusCode.OK);
        approved!.State.ShouldBe(DeploymentState.Queued);
        var monday = friday.AddDays(3).AddHours(8);
        var held = await Eventually.WaitAsync(async () => await team["vera"].DeploymentAsync(requested.Id) is { Waiting: not null } d ? d : null, "the freeze to hold the deployment");
        held.State.ShouldBe(DeploymentState.Queued);
        held.WaitingUntil.ShouldBe(monday);
        held.Events.ShouldContain(e => e.Message.StartsWith("waiting: prod is in its freeze window", StringComparison.Ordinal));
        (await team["vera"].GetAsync<EnvironmentResponse[]>("api/v1/environments")).Single(e => e.Name == "prod").Frozen!.Until.ShouldBe(monday);

        clock.AdvanceTo(monday.AddMinutes(1));
        var done = await StateAsync(team["vera"], requested.Id, DeploymentState.Succeeded);
        done.Waiting.ShouldBeNull();
    }

    [Fact]
    public async Task An_ad_hoc_freeze_holds_continuous_delivery_until_an_admin_lifts_it_and_an_override_goes_through_meanwhile()
    {
        await using var setup = await ProductionSetup.StartAsync("{}", "ok", "first");
        var (repo, team, first) = (setup.Repo, setup.Team, setup.FirstCommit);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-1", first);

        var frozen = await team.CliAsync("root", "environments", "freeze", "dev-1", "--until", "2h", "--reason", "incident 4711");
        frozen.ExitCode.ShouldBe(0, frozen.Error);
        var byDeployer = await team.CliAsync("dave", "environments", "freeze", "dev-2", "--until", "2h", "--reason", "not mine to freeze");
        byDeployer.ExitCode.ShouldBe(1);
        var held = await repo.CommitAsync("held back");
        var waiting = await Eventually.WaitAsync(async () => (await team["vera"].DeploymentsAsync("shop", "dev-1")).FirstOrDefault(d => d.Release.Commit == held && d.Waiting is not null),
            "the new build to wait for the freeze");
        waiting.State.ShouldBe(DeploymentState.Queued);
        waiting.Waiting.ShouldBe("dev-1 is frozen by root: incident 4711");
        (await team["vera"].FinishedDeploymentAsync("shop", "dev-2", held)).State.ShouldBe(DeploymentState.Succeeded, "only dev-1 is frozen");

        var lifted = await team.CliAsync("root", "environments", "unfreeze", "dev-1");
        lifted.ExitCode.ShouldBe(0, lifted.Error);
        (await StateAsync(team["vera"], waiting.Id, DeploymentState.Succeeded)).Events[0].Message.ShouldEndWith("waits: dev-1 is frozen by root: incident 4711");

        (await team.CliAsync("root", "environments", "freeze", "dev-1", "--until", "2h", "--reason", "incident 4712")).ExitCode.ShouldBe(0);
        var (refused, _, _) = await team["dave"].RequestAsync("shop", "dev-1", first[..7]);
        var (status, _, pinned) = await team["root"].RequestAsync("shop", "dev-1", first[..7], overrideReason: "pin the known-good build during the incident");
        refused.ShouldBe(HttpStatusCode.Conflict);
        status.ShouldBe(HttpStatusCode.Accepted);
        (await StateAsync(team["vera"], pinned!.Id, DeploymentState.Succeeded)).Override.ShouldBe("pin the known-good build during the incident");
        var audit = await team.CliAsync("vera", "audit", "list", "--env", "dev-1");
        audit.Output.ShouldContain("freeze.set");
        audit.Output.ShouldContain("freeze.lifted");
    }

    [Fact]
    public async Task Two_approvals_racing_for_the_last_slot_apply_the_deployment_once()
    {
        await using var setup = await ProductionSetup.StartAsync("{ requires: [dev-1], approval: { required: 2, approvers: [release-managers] } }", "ok", "needs two");
        var (repo, team, commit) = (setup.Repo, setup.Team, setup.FirstCommit);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-1", commit);
        var (_, _, requested) = await team["alice"].RequestAsync("shop", "prod", commit[..7]);
        var (first, _, halfway) = await team["bob"].DecideAsync(requested!.Id);
        first.ShouldBe(HttpStatusCode.OK);
        halfway!.Waiting.ShouldBe("1 approval from release-managers (1 of 2 given)");

        var racers = new[] { "carol", "erin", "frank" };
        using var start = new ManualResetEventSlim();
        var racing = racers.Select(who => Task.Run(async () =>
        {
            start.Wait();
            return (await team[who].DecideAsync(requested.Id)).Status;
        })).ToList();
        start.Set();
        var answers = await Task.WhenAll(racing);

        answers.Count(a => a == HttpStatusCode.OK).ShouldBe(1);
        answers.Count(a => a == HttpStatusCode.Conflict).ShouldBe(racers.Length - 1);
        var done = await StateAsync(team["vera"], requested.Id, DeploymentState.Succeeded);
        done.Approvals.Count.ShouldBe(2);
        done.Events.Count(e => e.State == DeploymentState.Applying).ShouldBe(1);
        done.Events.Where(e => e.State == DeploymentState.Queued).ShouldHaveSingleItem().Message.ShouldEndWith("(2 of 2)");
    }

    [Fact]
    public async Task Each_role_may_do_only_its_part_and_a_revoked_token_is_refused()
    {
        await using var setup = await ProductionSetup.StartAsync($"{{ requires: [dev-1], {Approval} }}", "ok", "one");
        var (repo, team, commit) = (setup.Repo, setup.Team, setup.FirstCommit);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-1", commit);

        (await setup.Onward.Api.Http.GetAsync("api/v1/services")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using (var forged = new OnwardApi(team.Server, "onw_not-a-real-token"))
        {
            (await forged.Http.GetAsync("api/v1/services")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        (await team["vera"].RequestAsync("shop", "prod", commit[..7])).Status.ShouldBe(HttpStatusCode.Forbidden);
        var (requested, _, deployment) = await team["dave"].RequestAsync("shop", "prod", commit[..7]);
        requested.ShouldBe(HttpStatusCode.Accepted);
        var (deployerApproves, problem, _) = await team["dave"].DecideAsync(deployment!.Id);
        deployerApproves.ShouldBe(HttpStatusCode.Forbidden);
        problem!.Detail.ShouldBe("dave has the role deployer; this needs approver or above");
        var (outsider, outsiderProblem, _) = await team["sam"].DecideAsync(deployment.Id);
        outsider.ShouldBe(HttpStatusCode.Forbidden);
        outsiderProblem!.Detail!.ShouldContain("not in an approver group of prod (release-managers)");
        (await team["dave"].PostAsync<object>("api/v1/tokens", new { name = "mallory", role = "admin" })).Status.ShouldBe(HttpStatusCode.Forbidden);

        var created = await team.CliAsync("root", "tokens", "create", "--name", "ci-bot", "--role", "deployer", "--expires", "90d", "--json");
        created.ExitCode.ShouldBe(0, created.Error);
        var robot = JsonSerializer.Deserialize<CreatedTokenResponse>(created.Output, OnwardApi.Json)!;
        robot.ExpiresAt.ShouldNotBeNull();
        using (var ci = new OnwardApi(team.Server, robot.Token))
        {
            (await ci.RequestAsync("shop", "dev-1", commit[..7])).Status.ShouldBe(HttpStatusCode.Accepted);
        }
        var revoked = await team.CliAsync("root", "tokens", "revoke", "--name", "dave");
        revoked.ExitCode.ShouldBe(0, revoked.Error);
        (await team["dave"].Http.GetAsync("api/v1/services")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await team["dan"].DecideAsync(deployment.Id, "cancel")).Status.ShouldBe(HttpStatusCode.Forbidden, "a deployer cancels only their own requests");
        var cancelled = await team["alice"].DecideAsync(deployment.Id, "cancel", "dave left the team");
        cancelled.Value!.State.ShouldBe(DeploymentState.Cancelled);
        var audit = await team["root"].GetAsync<AuditEntryResponse[]>("api/v1/audit?actor=root");
        audit.ShouldContain(e => e.Action == "token.revoked" && e.Message.Contains("of dave", StringComparison.Ordinal));
        audit.Count(e => e.Action == "token.created").ShouldBe(10);
    }

    [Fact]
    public async Task A_newer_request_supersedes_a_pending_one_and_a_request_nobody_decides_on_expires()
    {
        var clock = new ShiftedClock(DateTimeOffset.UtcNow);
        await using var setup = await ProductionSetup.StartAsync("{ requires: [dev-1], approval: { required: 1, approvers: [release-managers], expiry: 4h } }", "ok", "first", clock);
        var (repo, team, first) = (setup.Repo, setup.Team, setup.FirstCommit);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-1", first);
        var second = await repo.CommitAsync("second");
        await team["vera"].FinishedDeploymentAsync("shop", "dev-1", second);
        await team["vera"].FinishedDeploymentAsync("shop", "dev-2", second);

        var (_, _, older) = await team["alice"].RequestAsync("shop", "prod", first[..7]);
        var (_, _, newer) = await team["dave"].RequestAsync("shop", "prod", second[..7]);
        var superseded = await team["vera"].DeploymentAsync(older!.Id);
        superseded.State.ShouldBe(DeploymentState.Superseded);
        superseded.Events.Last().ShouldSatisfyAllConditions(
            e => e.Actor.ShouldBe("dave"), e => e.Message.ShouldBe($"superseded by deployment {newer!.Id} (manual request of dave)"));
        newer!.Events[0].Message.ShouldEndWith($"supersedes deployment {older.Id}");

        clock.Advance(TimeSpan.FromHours(4) + TimeSpan.FromMinutes(1));
        var (late, problem, _) = await team["bob"].DecideAsync(newer.Id);
        late.ShouldBe(HttpStatusCode.Conflict, "a decision after the expiry is too late, whether or not Onward has looked yet");
        problem!.Detail!.ShouldContain("approval expired");
        var expired = await StateAsync(team["vera"], newer.Id, DeploymentState.Cancelled);
        expired.Reason.ShouldBe("approval expired: 1 approval from release-managers were not given within 4h00m");
        expired.Approvals.ShouldBeEmpty();
    }
}
