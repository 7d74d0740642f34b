using Onward.Contracts.Deployments;
using Onward.Core.Access;
using Onward.Core.Deployments;
using Onward.Core.Freezes;
using Onward.Testing.Fakes;

namespace Onward.Core.Tests.Freezes;

/// <summary>Freezing and lifting a freeze, as the API and the web UI both do it.</summary>
public class FreezeChangesTests
{
    private const string Yaml = """
        environments:
          dev: { target: { local: {} } }
          prod: { target: { local: {} }, policy: { freeze: [ { cron: "0 18 * * FRI", duration: 2h, timezone: UTC } ] } }
        services:
          shop:
            repository: https://git.example/shop.git
            build: { command: { run: make } }
            deploy: { local: { command: run, healthUrl: "http://127.0.0.1:{port}/" } }
        """;

    private static readonly Identity Root = new("root", Role.Admin, []);
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData("dev", "12h", "incident 4711", null)]
    [InlineData("dev", "2026-11-26T08:00:00Z", "late", "2026-11-26 08:00:00Z has passed; a freeze must end in the future")]
    [InlineData("dev", "soon", "vague", "'soon' is neither a time nor a duration; write e.g. 2026-12-01T08:00:00Z or 12h")]
    [InlineData("dev", "12h", " ", "send `until` (an ISO 8601 time such as 2026-12-01T08:00:00Z, or a duration from now such as 12h) and a written `reason`")]
    public async Task A_freeze_ends_at_a_time_or_after_a_duration_and_has_a_written_reason(string environment, string until, string reason, string? problem)
    {
        var (pipeline, changes) = Setup();

        var outcome = await changes.FreezeAsync(environment, until, reason, Root, None);

        if (problem is null)
        {
            outcome.ShouldBeOfType<FreezeOutcome.Changed>().Active!.Until.ShouldBe(pipeline.Clock.GetUtcNow().AddHours(12));
        }
        else
        {
            outcome.ShouldBe(new FreezeOutcome.Invalid(problem));
        }
    }

    [Fact]
    public async Task An_unknown_environment_and_a_lift_without_an_ad_hoc_freeze_are_refused_in_words()
    {
        var (_, changes) = Setup();

        (await changes.FreezeAsync("qa", "1h", "x", Root, None)).ShouldBe(new FreezeOutcome.NotFound("unknown environment 'qa'; known environments: dev, prod"));
        (await changes.LiftAsync("dev", Root, None)).ShouldBe(new FreezeOutcome.NothingToLift("dev is not frozen"));
        (await changes.LiftAsync("prod", Root, None)).ShouldBeOfType<FreezeOutcome.NothingToLift>().Detail
            .ShouldStartWith("prod has no ad-hoc freeze to lift; its freeze windows come from onward.yaml");
    }

    [Fact]
    public async Task Only_an_admin_freezes_or_lifts_a_freeze()
    {
        var (_, changes) = Setup();
        var approver = new Identity("alice", Role.Approver, ["release-managers"]);

        (await changes.FreezeAsync("dev", "1h", "mine", approver, None)).ShouldBe(new FreezeOutcome.Forbidden("only an admin freezes an environment or lifts a freeze"));
        (await changes.LiftAsync("dev", approver, None)).ShouldBeOfType<FreezeOutcome.Forbidden>();
    }

    [Fact]
    public async Task Lifting_a_freeze_wakes_the_deployments_it_held_so_that_they_go_ahead_at_once()
    {
        var (pipeline, changes) = Setup();
        var commit = pipeline.Source.Commit(null);
        pipeline.Releases.AddBuilt("shop", commit[..7], commit);
        await changes.FreezeAsync("dev", "1h", "migration", Root, None);
        var held = (await pipeline.Requests.RequestAsync(new DeploymentRequest("shop", "dev", commit[..7], null, null, null, "onward", DeploymentTrigger.Auto), None)).Deployment!;
        var job = (await pipeline.Database.Jobs.ClaimAsync("w", pipeline.Clock.GetUtcNow(), TimeSpan.FromSeconds(15), 10, None)).ShouldHaveSingleItem();
        await pipeline.Database.Jobs.RescheduleAsync(job, "w", pipeline.Clock.GetUtcNow(), pipeline.Clock.GetUtcNow().AddHours(1), afterError: false, None);

        var lifted = await changes.LiftAsync("dev", Root, None);

        lifted.ShouldBeOfType<FreezeOutcome.Changed>().Active.ShouldBeNull();
        (await pipeline.Database.Jobs.ClaimAsync("w", pipeline.Clock.GetUtcNow(), TimeSpan.FromSeconds(15), 10, None)).ShouldHaveSingleItem().Subject.ShouldBe(held.Id);
    }

    private static (CorePipeline Pipeline, FreezeChanges Changes) Setup()
    {
        var pipeline = new CorePipeline(Yaml);
        return (pipeline, new FreezeChanges(pipeline.Config, pipeline.Freezes, pipeline.Deployments, pipeline.Database.Jobs, pipeline.Clock));
    }
}
