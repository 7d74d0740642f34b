using Onward.Core.Configuration;
using Onward.Core.Pipeline;
using Onward.Core.Releases;
using Onward.Integrations.Git;
using Onward.Integrations.ImageBuilds;
using Onward.Testing;

namespace Onward.Integrations.Tests.ImageBuilds;

public class CommandBuilderTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static ServiceConfig Service(string run) => new(
        "svc", "/unused", TimeSpan.FromSeconds(30), null,
        new(@"^(\d+\.)+\d+$"), new(@"^\d+\.\d+\.\d+$"),
        new BuildConfig(new CommandBuildConfig(run), TimeSpan.FromMinutes(5)),
        new DeployConfig(null, new LocalDeployConfig("./run", "http://127.0.0.1:{port}/")), TimeSpan.FromMinutes(1));

    private static Release ReleaseOf(long id, string commit) =>
        new(id, "svc", commit[..7], commit, "main", RefKind.Branch, false, null, ReleaseState.Building, null, DateTimeOffset.UtcNow, null, null);

    private static async Task<StepResult> BuildAsync(CommandBuilder builder, Release release, ServiceConfig service)
    {
        StepResult result = StepResult.Wait(TimeSpan.Zero);
        await Eventually.WaitAsync(async () =>
        {
            result = (await builder.StepAsync(release, service, None)).Step;
            return result is not StepResult.Pending;
        }, "the build to end");
        return result;
    }

    /// <summary>A repository with one commit, fetched into a mirror, and a builder over it.</summary>
    private static async Task<(CommandBuilder Builder, string Commit)> OneCommitAsync(TempDirectory dir)
    {
        var repo = await GitRepository.InitAsync(dir.Combine("repo"));
        var commit = await repo.CommitAsync();
        var source = new GitSourceRepository(dir.Combine("data"));
        await source.FetchAsync("svc", repo.Path, None);
        return (new CommandBuilder(dir.Combine("data"), source, TimeProvider.System), commit);
    }

    [Fact]
    public async Task The_build_runs_in_a_clean_clone_of_the_exact_commit_and_its_artifact_is_kept_by_full_sha()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("repo"));
        await repo.WriteAsync("message.txt", "from the first commit");
        var first = await repo.CommitAsync();
        await repo.WriteAsync("message.txt", "from the second commit");
        await repo.CommitAsync();
        var source = new GitSourceRepository(dir.Combine("data"));
        await source.FetchAsync("svc", repo.Path, None);
        var builder = new CommandBuilder(dir.Combine("data"), source, TimeProvider.System);
        var release = ReleaseOf(1, first);

        var result = await BuildAsync(builder, release, Service("cp message.txt {artifact}/ && echo $ONWARD_COMMIT > {artifact}/commit && git status --porcelain"));

        var artifact = ((StepResult.Succeeded)result).Output!;
        artifact.ShouldBe(Path.Combine(dir.Combine("data"), "artifacts", "svc", first));
        File.ReadAllText(Path.Combine(artifact, "message.txt")).ShouldBe("from the first commit");
        File.ReadAllText(Path.Combine(artifact, "commit")).Trim().ShouldBe(first);
        (await builder.ReadLogAsync(release, None))!.ShouldContain($"Building svc {first[..7]} at {first}");
        (await GitCli.RunAsync(source.MirrorPath("svc"), "status")).Ok.ShouldBeFalse("the mirror is bare and was never checked out");
    }

    [Fact]
    public async Task The_build_sees_a_git_checkout_with_the_repositorys_tags_and_leaves_no_worktree_behind()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("repo"));
        var commit = await repo.CommitAsync("release");
        await repo.TagAsync("1.2.0", annotated: true);
        var source = new GitSourceRepository(dir.Combine("data"));
        await source.FetchAsync("svc", repo.Path, None);
        var builder = new CommandBuilder(dir.Combine("data"), source, TimeProvider.System);

        var result = await BuildAsync(builder, ReleaseOf(7, commit), Service("git describe --tags > {artifact}/describe && git rev-parse HEAD > {artifact}/head"));

        var artifact = ((StepResult.Succeeded)result).Output!;
        File.ReadAllText(Path.Combine(artifact, "describe")).Trim().ShouldBe("1.2.0");
        File.ReadAllText(Path.Combine(artifact, "head")).Trim().ShouldBe(commit);
        await source.FetchAsync("svc", repo.Path, None);
        (await GitCli.RequireAsync(source.MirrorPath("svc"), ["worktree", "list", "--porcelain"], None)).Split("worktree ").Length.ShouldBe(2, "only the mirror itself is left");
    }

    [Fact]
    public async Task A_failing_build_reports_its_exit_code_and_the_end_of_its_log()
    {
        await using var dir = new TempDirectory();
        var (builder, commit) = await OneCommitAsync(dir);

        var result = await BuildAsync(builder, ReleaseOf(1, commit), Service("echo compiling; echo 'error CS1002: ; expected' >&2; exit 2"));

        var failed = result.ShouldBeOfType<StepResult.Failed>();
        failed.Reason.ShouldBe("the build command exited with code 2");
        failed.Diagnosis!.ShouldContain("error CS1002: ; expected");
        Directory.Exists(Path.Combine(dir.Combine("data"), "artifacts", "svc", commit)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_second_release_of_the_same_commit_reuses_its_artifact()
    {
        await using var dir = new TempDirectory();
        var (builder, commit) = await OneCommitAsync(dir);
        var service = Service("date +%s%N > {artifact}/built-at");
        var first = (StepResult.Succeeded)await BuildAsync(builder, ReleaseOf(1, commit), service);
        var stamp = File.ReadAllText(Path.Combine(first.Output!, "built-at"));

        var second = (StepResult.Succeeded)await BuildAsync(builder, ReleaseOf(2, commit) with { Version = "1.0.0" }, service);

        second.Output.ShouldBe(first.Output);
        File.ReadAllText(Path.Combine(second.Output!, "built-at")).ShouldBe(stamp);
        (await builder.ReadLogAsync(ReleaseOf(2, commit), None))!.ShouldContain("reused");
    }

    public static TheoryData<string> Hostile => new(HostileText.Versions);

    /// <summary>Issue 22.2: a version from outside (a tag's name) is one word in the build command, however it is quoted.</summary>
    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_hostile_version_reaches_the_build_command_as_one_word_and_runs_nothing(string hostile)
    {
        await using var dir = new TempDirectory();
        var (builder, commit) = await OneCommitAsync(dir);
        var pwned = dir.Combine("pwned");
        var version = hostile.Replace("{pwned}", pwned, StringComparison.Ordinal);

        var result = await BuildAsync(builder, ReleaseOf(1, commit) with { Version = version },
            Service("printf %s {version} > {artifact}/plain; printf %s '{version}' > {artifact}/single; printf %s \"{version}\" > {artifact}/double; printf %s \"$ONWARD_VERSION\" > {artifact}/variable"));

        var artifact = result.ShouldBeOfType<StepResult.Succeeded>().Output!;
        foreach (var file in new[] { "plain", "single", "double", "variable" })
        {
            File.ReadAllText(Path.Combine(artifact, file)).ShouldBe(version, file);
        }
        File.Exists(pwned).ShouldBeFalse();
    }
}
