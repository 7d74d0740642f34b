using Onward.Contracts.Releases;
using Onward.Testing;

namespace Onward.Server.Tests.Pipeline;

/// <summary>Issue 22.2: names of refs come from whoever may push, and never reach a shell as commands.</summary>
public class HostileRefTests
{
    [Fact]
    public async Task Tags_full_of_shell_text_never_become_releases_and_run_nothing()
    {
        await using var dir = new TempDirectory();
        var pwned = dir.Combine("pwned");
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var commit = await repo.CommitAsync("first");
        var service = SampleService.ServiceYaml("shop", repo.Path)
            .Replace("cp -r . {artifact}/", "printf %s {version} > {artifact}/../version-{commit}; cp -r . {artifact}/", StringComparison.Ordinal)
            + "\n    versionRefPattern: '^v.*$'";
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev-1")], [service]));
        await onward.Api.BuiltReleaseAsync("shop", commit);

        // git refuses spaces in tag names; ${IFS} is one to the shell.
        string[] hostile = [$"v4;touch${{IFS}}{pwned};echo", $"v1$(touch${{IFS}}{pwned})", $"v2`touch${{IFS}}{pwned}`", $"v3'&&touch${{IFS}}{pwned}&&'", $"v5\"|touch${{IFS}}{pwned}|\"", $"v6>{pwned}"];
        foreach (var tag in hostile)
        {
            await repo.TagAsync(tag);
        }
        await repo.TagAsync("v7.0");

        var safe = await Eventually.WaitAsync(async () => (await onward.Api.ReleasesAsync("shop")).FirstOrDefault(r => r.Version == "v7.0" && r.State != "Building"),
            "the release of v7.0");
        safe.State.ShouldBe("Built");
        (await onward.Api.ReleasesAsync("shop")).Select(r => r.Version).ShouldBe(["v7.0", commit[..7]], ignoreOrder: true);
        File.Exists(pwned).ShouldBeFalse();
    }

    [Fact]
    public async Task A_registered_release_with_a_ref_full_of_shell_text_is_refused_with_the_reason()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("billing"));
        var commit = await repo.CommitAsync("first");
        var service = $"""
              billing:
                repository: {repo.Path}
                versionRefPattern: '^v.*$'
                build: {"{"} external: {"{"} image: 127.0.0.1:9/acme/billing {"}"} {"}"}
                deploy: {"{"} local: {"{"} command: "printf %s {"{"}version{"}"}", healthUrl: "http://127.0.0.1:{"{"}port{"}"}/" {"}"} {"}"}
            """;
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.ManualEnvironment("dev-1")], [service]));

        foreach (var reference in new[] { "v1;id>pwned;echo", "v1$(id)", "v1`id`", "v1'x'", "v1\"x\"" })
        {
            var (status, problem, _) = await onward.Api.PostAsync<ReleaseResponse>("api/v1/releases",
                new { service = "billing", commit, image = $"127.0.0.1:9/acme/billing:{commit[..7]}", @ref = reference });

            ((int)status).ShouldBe(422, reference);
            problem!.Detail!.ShouldContain("a version may hold only letters, digits and . _ - + /", customMessage: reference);
        }
        (await onward.Api.ReleasesAsync("billing")).ShouldBeEmpty();
    }
}
