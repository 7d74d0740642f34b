using Onward.Contracts.Deployments;
using Onward.Core.Access;
using Onward.Core.Deployments;
using Onward.Testing.Fakes;

namespace Onward.Core.Tests.Deployments;

public class DeploymentRequestsTests
{
    private const string Yaml = """
        auth: { mode: tokens }
        environments:
          dev: { target: { local: {} }, policy: { autoDeploy: main } }
          prod:
            target: { local: {} }
            policy: { requires: [dev], approval: { required: 1, approvers: [release-managers] } }
        services:
          shop:
            repository: https://git.example/shop.git
            build: { command: { run: make } }
            deploy: { local: { command: run, healthUrl: "http://127.0.0.1:{port}/" } }
        """;

    [Fact]
    public async Task A_release_that_has_not_succeeded_where_the_environment_requires_is_blocked_with_the_reason()
    {
        var pipeline = new CorePipeline(Yaml);
        var commit = pipeline.Source.Commit(null);
        pipeline.Releases.AddBuilt("shop", commit[..7], commit);

        var outcome = await pipeline.RequestAsync("prod", commit[..7]);

        outcome.Deployment!.State.ShouldBe(DeploymentState.Blocked);
        outcome.Detail.ShouldBe($"prerequisites: {commit[..7]} has not succeeded in dev yet, which prod requires first");
    }

    [Fact]
    public async Task A_request_for_an_environment_with_approvals_waits_for_them_and_a_newer_request_supersedes_it()
    {
        var pipeline = new CorePipeline(Yaml);
        var first = pipeline.Source.Commit(null);
        var second = pipeline.Source.Commit(first);
        foreach (var commit in new[] { first, second })
        {
            pipeline.Releases.AddBuilt("shop", commit[..7], commit);
            await pipeline.RunAsync((await pipeline.RequestAsync("dev", commit[..7])).Deployment!.Id);
        }

        var waiting = (await pipeline.RequestAsync("prod", first[..7])).Deployment!;
        var newer = (await pipeline.RequestAsync("prod", second[..7])).Deployment!;

        waiting.State.ShouldBe(DeploymentState.AwaitingApproval);
        waiting.Waiting.ShouldBe("1 approval from release-managers");
        (await pipeline.Deployments.GetAsync(waiting.Id, CancellationToken.None))!.State.ShouldBe(DeploymentState.Superseded);
        pipeline.Deployments.EventsOf(newer.Id)[0].Message.ShouldEndWith($"supersedes deployment {waiting.Id}");
    }

    [Fact]
    public async Task A_person_asking_during_a_freeze_is_told_no_while_onward_itself_waits_for_it_to_end()
    {
        var pipeline = new CorePipeline(Yaml);
        var commit = pipeline.Source.Commit(null);
        pipeline.Releases.AddBuilt("shop", commit[..7], commit);
        await pipeline.Freezes.SetAsync("dev", pipeline.Clock.GetUtcNow().AddHours(2), "release party", "root", CancellationToken.None);

        var manual = await pipeline.RequestAsync("dev", commit[..7]);
        var automatic = await pipeline.Requests.RequestAsync(new DeploymentRequest("shop", "dev", commit[..7], null, null, null, "onward", DeploymentTrigger.Auto), CancellationToken.None);

        manual.Deployment!.State.ShouldBe(DeploymentState.Blocked);
        manual.Detail.ShouldBe("freeze: dev is frozen by root: release party; it ends 2026-11-26 14:00 UTC");
        automatic.Deployment!.State.ShouldBe(DeploymentState.Queued);
        automatic.Deployment.WaitingUntil.ShouldBe(pipeline.Clock.GetUtcNow().AddHours(2));
    }

    [Fact]
    public async Task An_unknown_version_names_the_recent_ones_and_a_short_commit_is_refused()
    {
        var pipeline = new CorePipeline(Yaml);
        var commit = pipeline.Source.Commit(null);
        pipeline.Releases.AddBuilt("shop", commit[..7], commit);

        var unknown = await pipeline.RequestAsync("dev", "1.0.0");
        var shortCommit = await pipeline.Requests.RequestAsync(new DeploymentRequest("shop", "dev", null, commit[..12], null, null, "dave", DeploymentTrigger.Manual), CancellationToken.None);

        unknown.Error.ShouldBe(RequestError.NotFound);
        unknown.Detail.ShouldBe($"service 'shop' has no release with version '1.0.0'; recent versions: {commit[..7]}");
        shortCommit.Error.ShouldBe(RequestError.Invalid);
        shortCommit.Detail!.ShouldContain("to name a release by its short hash, give it as `version`");
        pipeline.Deployments.All.ShouldBeEmpty();
    }

    [Fact]
    public async Task Only_an_admin_overrides_the_policies_and_only_with_a_written_reason_and_the_override_is_recorded()
    {
        var pipeline = new CorePipeline(Yaml);
        var commit = pipeline.Source.Commit(null);
        pipeline.Releases.AddBuilt("shop", commit[..7], commit);
        DeploymentRequest Override(string? reason) => new("shop", "prod", commit[..7], null, "hotfix", reason, "ignored", DeploymentTrigger.Auto);

        var deployer = await pipeline.Requests.RequestAsync(Override("incident 4711"), new Identity("dave", Role.Approver, []), CancellationToken.None);
        var blank = await pipeline.Requests.RequestAsync(Override("  "), new Identity("root", Role.Admin, []), CancellationToken.None);
        var admin = await pipeline.Requests.RequestAsync(Override(" incident 4711 "), new Identity("root", Role.Admin, []), CancellationToken.None);

        (deployer.Error, deployer.Detail).ShouldBe((RequestError.Forbidden, "only an admin may override policies"));
        blank.Error.ShouldBe(RequestError.Malformed);
        admin.Deployment.ShouldNotBeNull().ShouldSatisfyAllConditions(
            d => d.State.ShouldBe(DeploymentState.AwaitingApproval, "an override skips prerequisites, not approvals"),
            d => d.Override.ShouldBe("incident 4711"),
            d => d.RequestedBy.ShouldBe("root", "a person's request is theirs, whatever the request said"),
            d => d.Trigger.ShouldBe(DeploymentTrigger.Manual));
        pipeline.Deployments.All.ShouldHaveSingleItem();
    }
}
