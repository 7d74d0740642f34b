using System.Text.RegularExpressions;
using Onward.Core.Configuration;
using Onward.Core.Releases;
using Onward.Core.Sources;

namespace Onward.Core.Tests.Sources;

public class RefClassifierTests
{
    private const string Sha = "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";

    private static ServiceConfig Service(string? mainBranch = null) => new(
        "billing", "/repo", TimeSpan.FromSeconds(30), mainBranch,
        new Regex(@"^(\d+\.)+\d+$"), new Regex(@"^\d+\.\d+\.\d+$"),
        new BuildConfig(new CommandBuildConfig("make"), TimeSpan.FromMinutes(5)),
        new DeployConfig(null, new LocalDeployConfig("./run", "http://127.0.0.1:{port}/")), TimeSpan.FromMinutes(1));

    [Theory]
    [InlineData("main")]
    [InlineData("master")]
    public void The_head_of_main_or_master_becomes_a_short_hash_release_when_no_main_branch_is_set(string branch)
    {
        var (release, _) = RefClassifier.Classify(Service(), new RefHead(branch, RefKind.Branch, Sha));

        release!.Version.ShouldBe("3f2a9c1");
        release.Commit.ShouldBe(Sha);
        release.ReleaseCandidate.ShouldBeFalse();
    }

    [Fact]
    public void A_configured_main_branch_is_the_only_one()
    {
        RefClassifier.Classify(Service("trunk"), new RefHead("main", RefKind.Branch, Sha)).Release.ShouldBeNull();
        RefClassifier.Classify(Service("trunk"), new RefHead("trunk", RefKind.Branch, Sha)).Release!.Version.ShouldBe("3f2a9c1");
    }

    [Theory]
    [InlineData("1.4", RefKind.Tag, false)]
    [InlineData("2.0.3", RefKind.Tag, true)]
    [InlineData("2.0.3", RefKind.Branch, false)]
    [InlineData("1.2.3.4", RefKind.Tag, false)]
    public void Version_refs_are_labelled_with_their_name_and_three_part_tags_are_candidates(string name, RefKind kind, bool candidate)
    {
        var (release, _) = RefClassifier.Classify(Service(), new RefHead(name, kind, Sha));

        release!.Version.ShouldBe(name);
        release.ReleaseCandidate.ShouldBe(candidate);
    }

    [Theory]
    [InlineData("feature/login", RefKind.Branch)]
    [InlineData("v1.2", RefKind.Tag)]
    [InlineData("1.2-rc1", RefKind.Tag)]
    public void Other_refs_are_ignored_with_a_reason(string name, RefKind kind)
    {
        var (release, reason) = RefClassifier.Classify(Service(), new RefHead(name, kind, Sha));

        release.ShouldBeNull();
        reason.ShouldContain(name);
    }

    /// <summary>Issue 22.2: a ref that matches the version pattern but holds shell or other unsafe text never becomes a release.</summary>
    [Theory]
    [InlineData("v4;id>pwned;echo", "';'")]
    [InlineData("v1$(id)", "'$'")]
    [InlineData("v1`id`", "'`'")]
    [InlineData("v1'x", "'''")]
    [InlineData("v1\"x", "'\"'")]
    [InlineData("v1\nid", "a line break")]
    [InlineData("v1 id", "a space")]
    [InlineData("v1&id", "'&'")]
    [InlineData("v1|id", "'|'")]
    [InlineData("v1..2", "not a valid git ref name")]
    [InlineData("v1.lock", "not a valid git ref name")]
    [InlineData("v1/.x", "not a valid git ref name")]
    public void A_version_ref_outside_the_safe_set_is_refused_with_the_reason(string name, string reason)
    {
        var service = Service() with { VersionRefPattern = new Regex("^v.*$", RegexOptions.Singleline) };

        var (release, why) = RefClassifier.Classify(service, new RefHead(name, RefKind.Tag, Sha));

        release.ShouldBeNull();
        why.ShouldContain(reason);
        why.ShouldNotContain("\n");
    }

    [Theory]
    [InlineData("v1.4.2")]
    [InlineData("v2.0.0-rc.1+build.5")]
    [InlineData("release/2026_12")]
    public void Versions_of_letters_digits_and_the_safe_punctuation_are_released(string name)
    {
        var service = Service() with { VersionRefPattern = new Regex("^(v|release/).*$") };

        RefClassifier.Classify(service, new RefHead(name, RefKind.Tag, Sha)).Release!.Version.ShouldBe(name);
    }
}
