using Onward.Contracts.Deployments;
using System.Net;
using Onward.Contracts.Insight;
using Onward.Server.Views;
using Onward.Testing;

namespace Onward.Server.Tests.Insight;

/// <summary>Issue 16.5: the DORA measures of a real environment, from its deployments and its repository's commits.</summary>
public class DoraApiTests
{
    [Fact]
    public async Task The_measures_come_from_the_deployments_and_the_commit_dates_over_the_api_and_the_cli()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        var now = DateTimeOffset.UtcNow;
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("the first version", now.AddHours(-3));
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev")],
            [SampleService.ServiceYaml("shop", repo.Path, poll: "200ms")]));
        (await onward.Api.FinishedDeploymentAsync("shop", "dev", first)).State.ShouldBe(DeploymentState.Succeeded);
        await repo.BehaveAsync("crash");
        var broken = await repo.CommitAsync("a change that crashes", now.AddHours(-2));
        (await onward.Api.FinishedDeploymentAsync("shop", "dev", broken)).State.ShouldBe(DeploymentState.Failed);
        await repo.BehaveAsync("ok");
        var fix = await repo.CommitAsync("fix: start again", now.AddHours(-1));
        (await onward.Api.FinishedDeploymentAsync("shop", "dev", fix)).State.ShouldBe(DeploymentState.Succeeded);

        var report = await onward.Api.GetAsync<DoraResponse>("api/v1/dora?environment=dev&days=7");

        (report.Environment, report.Days).ShouldBe(("dev", 7));
        var shop = report.Services.ShouldHaveSingleItem();
        shop.Service.ShouldBe("shop");
        (shop.Deployments, shop.DeploymentsPerDay, shop.FrequencyBand).ShouldBe((2, 0.286, "high"));
        // Leads: the first release 3 h after its commit; the fix brought the crashing commit too, made 2 h before.
        shop.LeadTime.Samples.ShouldBe(2);
        shop.LeadTime.MedianSeconds!.Value.ShouldBeInRange(2 * 3600, 2 * 3600 + 600);
        shop.LeadTime.P90Seconds!.Value.ShouldBeInRange(3 * 3600, 3 * 3600 + 600);
        shop.LeadTime.Band.ShouldBe("elite");
        // The failed deployment, and the first one, which a fix followed within a day.
        (shop.FailedChanges, shop.Changes, shop.ChangeFailureBand).ShouldBe((2, 3, "low"));
        shop.TimeToRestore.Samples.ShouldBe(2);
        shop.TimeToRestore.MedianSeconds!.Value.ShouldBeLessThan(600);
        shop.TimeToRestore.Band.ShouldBe("elite");
        report.Overall.ShouldBe(shop with { Service = null });

        (await onward.Api.Http.GetAsync("api/v1/dora?environment=nowhere")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await onward.Api.Http.GetAsync("api/v1/dora?environment=dev&days=0")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await onward.Api.Http.GetAsync("api/v1/dora?environment=dev&service=nothing")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var cli = await OnwardCli.RunAsync(null, "dora", "--env", "dev", "--days", "7", "--server", onward.Config.Server.Listen.ToString());
        cli.ExitCode.ShouldBe(0, cli.Error);
        cli.Output.ShouldContain("shop");
        cli.Output.ShouldContain("all");
        cli.Output.ShouldContain("66.7% (2 of 3) low", customMessage: cli.Output);
        (await OnwardCli.RunAsync(null, "dora", "--server", onward.Config.Server.Listen.ToString())).ExitCode.ShouldBe(2, "--env is required");
    }

    [Theory]
    [InlineData("fix: handle an empty cart", true)]
    [InlineData("Fix(cart): empty", true)]
    [InlineData("hotfix for prod", true)]
    [InlineData("Revert \"add the cart\"", true)]
    [InlineData("fixed the build", true)]
    [InlineData("prefix the names", false)]
    [InlineData("add a fix-up script", false)]
    public void A_fix_or_revert_is_told_by_the_first_word_of_its_subject(string subject, bool fix) => DoraReports.IsFix(subject).ShouldBe(fix);
}
