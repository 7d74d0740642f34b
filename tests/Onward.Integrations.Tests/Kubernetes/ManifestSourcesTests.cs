using System.Text.RegularExpressions;
using Onward.Core.Configuration;
using Onward.Core.Releases;
using Onward.Integrations.Git;
using Onward.Integrations.Kubernetes;
using Onward.Testing;

namespace Onward.Integrations.Tests.Kubernetes;

public class ManifestSourcesTests
{
    private const string Digest = "sha256:0000000000000000000000000000000000000000000000000000000000000001";

    public static TheoryData<string> Hostile => new(HostileText.Versions);

    /// <summary>Issue 22.2: a version from outside is one word in the render command, however the command quotes it.</summary>
    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_hostile_version_reaches_the_render_command_as_one_word_and_runs_nothing(string hostile)
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("repo"));
        await repo.WriteAsync("manifests.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\n");
        var commit = await repo.CommitAsync();
        var source = new GitSourceRepository(dir.Combine("data"));
        await source.FetchAsync("svc", repo.Path, CancellationToken.None);
        var version = hostile.Replace("{pwned}", dir.Combine("pwned"), StringComparison.Ordinal);
        var seen = dir.Combine("seen");
        var render = $"printf %s {{version}} > {seen}-plain; printf %s \"{{version}}\" > {seen}-double; printf %s '{{version}}' > {seen}-single; cat manifests.yaml";
        var service = new ServiceConfig("svc", repo.Path, TimeSpan.FromSeconds(30), null, new Regex("^v"), new Regex("^$"),
            new BuildConfig(null, TimeSpan.FromMinutes(1)) { External = new ExternalBuildConfig("r.example/svc") },
            new DeployConfig(null, null) { Render = new RenderConfig(render, TimeSpan.FromMinutes(1)) }, TimeSpan.FromMinutes(1));
        var environment = new EnvironmentConfig("dev",
            new TargetConfig(null, new KubernetesTargetConfig(null, "shop")),
            new EnvironmentPolicy(AutoDeployMode.None, [], false, null, true, OnFailureMode.Restore, []));
        var release = new Release(1, "svc", version, commit, version, RefKind.Tag, false, null, ReleaseState.Built, null, DateTimeOffset.UtcNow, null, null)
        {
            Image = "r.example/svc",
            Digest = Digest,
        };

        var (documents, error) = await new ManifestSources(dir.Combine("data")).ReadAsync(source.MirrorPath("svc"), release, service, environment, 7, CancellationToken.None);

        error.ShouldBeNull();
        documents.Count.ShouldBe(1);
        foreach (var quoting in new[] { "plain", "double", "single" })
        {
            File.ReadAllText($"{seen}-{quoting}").ShouldBe(version, quoting);
        }
        File.Exists(dir.Combine("pwned")).ShouldBeFalse();
    }
}
