using Onward.Testing;

namespace Onward.Server.Tests.Cli;

public class DemoTests
{
    [Fact]
    public async Task The_demo_shows_good_versions_verified_a_crash_caught_the_fix_deployed_prod_untouched_and_a_pull_request_previewed()
    {
        await using var dir = new TempDirectory();

        // About 20 s alone; each of its six commits is a dotnet build, which takes minutes when the other test assemblies run beside it.
        var result = await OnwardCli.RunAsync(null, new Dictionary<string, string>(), TimeSpan.FromMinutes(10), "demo", "--dir", dir.Combine("demo"));

        result.ExitCode.ShouldBe(0, result.Output + result.Error);
        var output = result.Output;
        output.ShouldContain("1/6 commit");
        output.ShouldContain("✔ dev-1: verified");
        output.ShouldContain("✔ dev-2: verified");
        output.ShouldContain("✘ dev-1: Failed");
        output.ShouldContain("exited with code 134");
        output.ShouldContain("GREETING is not set");
        output.ShouldContain("kept serving");
        output.ShouldContain("answers: Hello again, world from sample");
        output.ShouldContain("5/6 a feature flag switched in dev-1");
        output.ShouldContain("dev-1 answers: HELLO AGAIN, WORLD FROM SAMPLE");
        output.ShouldContain("6/6 a pull request gets a preview environment of its own");
        output.ShouldContain("✔ sample-pr-1: built, deployed and verified");
        output.ShouldContain("answers: Hello from a pull request from sample");
        output.ShouldContain("sample-pr-1 destroyed, its process stopped");
        output.ShouldContain("Summary");
        output.ShouldContain("none (untouched until requested)");
        var forwarders = Directory.GetDirectories(dir.Combine("demo", ".onward", "forwarders"));
        forwarders.Select(f => Path.GetFileName(f)!).Order().ToArray().ShouldBe(["dev-1", "dev-2", "prod"], "each local environment's stable ports are served by a forwarder");
        Directory.GetDirectories(dir.Combine("demo", ".onward", "instances")).Concat(forwarders)
            .Select(d => new Onward.Integrations.LocalProcesses.DetachedProcess(d).Status().State)
            .ShouldAllBe(s => s != Onward.Integrations.LocalProcesses.ProcessState.Running, "without --keep the demo stops everything it started");
        await Should.ThrowAsync<HttpRequestException>(() => OnwardApi.AnswerAsync(StableAddress(dir.Combine("demo", ".onward"), "dev-1")), "the stable port is closed with the rest");
    }

    /// <summary>The stable address of the demo's service in an environment, as its forwarder was told.</summary>
    private static string StableAddress(string dataDir, string environment) =>
        $"http://127.0.0.1:{new Onward.Integrations.LocalProcesses.StablePorts(dataDir, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).Routes(environment).Routes.Single().Stable}/";
}
