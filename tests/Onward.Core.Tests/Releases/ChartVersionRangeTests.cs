using Onward.Core.Releases;

namespace Onward.Core.Tests.Releases;

/// <summary>Chart versions and ranges as Helm reads them (the rules of Masterminds/semver's constraints, which Helm uses).</summary>
public class ChartVersionRangeTests
{
    private static readonly string[] Listed = ["1.3.0", "1.4.0", "1.4.10", "1.4.9", "1.5.0", "1.4.11-rc.1"];

    [Theory]
    [InlineData("1.4.2", "1.4.2", true)]
    [InlineData("1.4.2", "1.4.3", false)]
    [InlineData("v1.4.2", "1.4.2", true)]
    [InlineData("1.4.2", "1.4.2+build.7", true)]
    [InlineData("~1.4", "1.4.0", true)]
    [InlineData("~1.4", "1.4.9", true)]
    [InlineData("~1.4", "1.5.0", false)]
    [InlineData("~1.4", "1.3.9", false)]
    [InlineData("~1.2.3", "1.2.9", true)]
    [InlineData("~1.2.3", "1.2.2", false)]
    [InlineData("~1.2.3", "1.3.0", false)]
    [InlineData("~1", "1.9.9", true)]
    [InlineData("~1", "2.0.0", false)]
    [InlineData("^1.2.3", "1.9.0", true)]
    [InlineData("^1.2.3", "1.2.2", false)]
    [InlineData("^1.2.3", "2.0.0", false)]
    [InlineData("^0.2.3", "0.2.9", true)]
    [InlineData("^0.2.3", "0.3.0", false)]
    [InlineData("^0.0.3", "0.0.3", true)]
    [InlineData("^0.0.3", "0.0.4", false)]
    [InlineData("^0.0", "0.0.9", true)]
    [InlineData("^0.0", "0.1.0", false)]
    [InlineData("^0", "0.9.0", true)]
    [InlineData("^0", "1.0.0", false)]
    [InlineData("1.4.x", "1.4.7", true)]
    [InlineData("1.4.x", "1.5.0", false)]
    [InlineData("1.*", "1.99.0", true)]
    [InlineData("1.*", "2.0.0", false)]
    [InlineData("*", "3.0.0", true)]
    [InlineData("*", "3.0.0-beta.1", false)]
    [InlineData("1.4", "1.4.3", true)]
    [InlineData("1.4", "1.5.0", false)]
    [InlineData(">=1.2 <2", "1.2.0", true)]
    [InlineData(">=1.2 <2", "1.9.9", true)]
    [InlineData(">=1.2 <2", "2.0.0", false)]
    [InlineData(">=1.2 <2", "1.1.9", false)]
    [InlineData(">= 1.2, < 2", "1.5.0", true)]
    [InlineData(">1.2", "1.2.5", false)]
    [InlineData(">1.2", "1.3.0", true)]
    [InlineData(">1.2.3", "1.2.4", true)]
    [InlineData("<=1.2", "1.2.9", true)]
    [InlineData("<=1.2", "1.3.0", false)]
    [InlineData("<1.2", "1.1.9", true)]
    [InlineData("<1.2", "1.2.0", false)]
    [InlineData("1.2 - 1.4.5", "1.2.0", true)]
    [InlineData("1.2 - 1.4.5", "1.4.5", true)]
    [InlineData("1.2 - 1.4.5", "1.4.6", false)]
    [InlineData("1.2 - 1.4.5", "1.1.0", false)]
    [InlineData("1.2 - 1.4", "1.4.9", true)]
    [InlineData("1.2 - 1.4", "1.5.0", false)]
    [InlineData("<1.0.0 || >=2.0.0", "0.5.0", true)]
    [InlineData("<1.0.0 || >=2.0.0", "1.5.0", false)]
    [InlineData("<1.0.0 || >=2.0.0", "2.1.0", true)]
    [InlineData("!=1.2.3", "1.2.3", false)]
    [InlineData("!=1.2.3", "1.2.4", true)]
    [InlineData("~1.4", "1.4.5-rc.1", false)]
    [InlineData(">=1.0.0-0", "1.1.0-alpha", true)]
    [InlineData("1.4.0-beta.1 - 1.4.0", "1.4.0-beta.2", true)]
    public void A_range_allows_what_Helm_allows(string range, string version, bool allowed)
    {
        var parsed = ChartVersionRange.Parse(range, out var problem).ShouldNotBeNull(problem);
        parsed.Allows(ChartVersion.Parse(version).ShouldNotBeNull()).ShouldBe(allowed, $"{range} and {version}");
    }

    [Theory]
    [InlineData("1.4.2.1")]
    [InlineData(">=")]
    [InlineData("~banana")]
    [InlineData("")]
    [InlineData("1.4 ||")]
    [InlineData("01.2.3")]
    public void Text_that_is_no_version_or_range_is_refused_with_a_reason(string text)
    {
        ChartVersionRange.Parse(text, out var problem).ShouldBeNull();
        problem.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Only_a_full_version_without_an_operator_is_exact()
    {
        ChartVersionRange.Parse("1.4.2", out _)!.Exact.ShouldNotBeNull().Text.ShouldBe("1.4.2");
        ChartVersionRange.Parse("1.4", out _)!.Exact.ShouldBeNull();
        ChartVersionRange.Parse("=1.4.2", out _)!.Exact.ShouldBeNull();
    }

    [Fact]
    public void The_best_version_is_the_highest_the_range_allows_pre_releases_aside()
    {
        var versions = Listed.Select(v => ChartVersion.Parse(v)!).ToList();
        ChartVersionRange.Parse("~1.4", out _)!.Best(versions)!.Text.ShouldBe("1.4.10", "by number, not by text; the pre-release is left out");
        ChartVersionRange.Parse("~2.0", out _)!.Best(versions).ShouldBeNull();
    }

    [Fact]
    public void Versions_sort_by_SemVer_precedence()
    {
        // The example of https://semver.org/#spec-item-11.
        var ordered = new[] { "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0" };
        ordered.Reverse().Select(v => ChartVersion.Parse(v)!).Order().Select(v => v.Text).ShouldBe(ordered);
    }
}
