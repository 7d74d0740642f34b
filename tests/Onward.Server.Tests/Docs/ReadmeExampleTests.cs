using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Onward.Core.Flags;
using Onward.Testing;

namespace Onward.Server.Tests.Docs;

/// <summary>Output shown in the README is what the commands print for the same data (issue 24.9).</summary>
public class ReadmeExampleTests
{
    [Fact]
    public async Task The_experiment_results_in_the_README_are_what_onward_flags_results_prints_for_their_counts()
    {
        await using var dir = new TempDirectory();
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.ManualEnvironment("prod")], []));
        using (var put = await onward.Api.Http.PutAsync("api/v1/environments/prod/flags", new StringContent("""
            {"flags": {"checkout-button": {"state": "ENABLED", "variants": {"blue": "blue", "green": "green"}, "defaultVariant": "blue",
              "targeting": {"fractional": [{"cat": [{"var": "$flagd.flagKey"}, {"var": "targetingKey"}]}, ["blue", 50], ["green", 50]]}}}}
            """, Encoding.UTF8, "application/json")))
        {
            put.EnsureSuccessStatusCode();
        }
        // The README's counts: blue 5012 exposed, 498 converted; green 4987 exposed, 601 converted.
        var store = onward.Services.GetRequiredService<IExperimentStore>();
        var seen = DateTimeOffset.UtcNow.AddHours(-1);
        await store.RecordExposuresAsync(
            [.. Enumerable.Range(0, 5012).Select(i => new Exposure("prod", "checkout-button", $"blue-{i}", "blue", seen)),
             .. Enumerable.Range(0, 4987).Select(i => new Exposure("prod", "checkout-button", $"green-{i}", "green", seen))], CancellationToken.None);
        foreach (var user in Enumerable.Range(0, 498).Select(i => $"blue-{i}").Concat(Enumerable.Range(0, 601).Select(i => $"green-{i}")))
        {
            await store.RecordConversionAsync(new Conversion("prod", "purchase", user, 42.5, seen.AddMinutes(5)), CancellationToken.None);
        }

        var cli = await OnwardCli.RunAsync(null, "flags", "results", "checkout-button", "--env", "prod", "--event", "purchase", "--server", onward.Config.Server.Listen.ToString());

        cli.ExitCode.ShouldBe(0, cli.Error);
        // Compared line by line with runs of spaces as one: the table's width follows the terminal's.
        static string Words(string line) => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var readme = (await File.ReadAllTextAsync(Path.Combine(Paths.RepositoryRoot, "README.md"))).ReplaceLineEndings("\n").Split('\n').Select(Words).ToHashSet();
        var printed = cli.Output.ReplaceLineEndings("\n").Split('\n').Select(Words).Where(l => l.Length > 0 && !l.All(c => c == '─')).ToList();
        printed.ShouldContain(l => l.StartsWith("blue (control) 50 5012 498", StringComparison.Ordinal));
        foreach (var line in printed)
        {
            readme.ShouldContain(line, $"the README shows `{line}` as printed:\n{cli.Output}");
        }
    }
}
