using Onward.Core.Canaries;
using Onward.Core.Configuration;

namespace Onward.Core.Tests.Canaries;

/// <summary>Placeholders of canary queries: values become the content of their string literal, escaped for its quote; the interval a duration.</summary>
public class PromQueryTests
{
    private static readonly Dictionary<string, string> Values = new()
    {
        ["service"] = "shop",
        ["environment"] = "prod",
        ["namespace"] = "shop-prod",
        ["version"] = "v1.2.0",
        ["baseline"] = "v1.1.0",
    };

    [Fact]
    public void Values_fill_their_literals_and_the_interval_its_range()
    {
        PromQuery.Fill("sum(rate(x{service=\"{service}\",version='{version}'}[{interval}]))", Values, TimeSpan.FromMinutes(1))
            .ShouldBe("sum(rate(x{service=\"shop\",version='v1.2.0'}[1m]))");
    }

    [Theory]
    [InlineData("a\"}) or vector(1) #", "x{v=\"a\\\"}) or vector(1) #\"}")]
    [InlineData("back\\slash", "x{v=\"back\\\\slash\"}")]
    [InlineData("line\nbreak", "x{v=\"line\\nbreak\"}")]
    public void A_hostile_version_stays_inside_its_string(string version, string expected)
    {
        PromQuery.Fill("x{v=\"{version}\"}", new Dictionary<string, string>(Values) { ["version"] = version }, TimeSpan.FromSeconds(2)).ShouldBe(expected);
    }

    [Fact]
    public void In_a_regular_expression_matcher_a_version_matches_only_itself()
    {
        PromQuery.Fill("x{v=~\"{version}\", w!~ '{baseline}'}", new Dictionary<string, string>(Values) { ["version"] = "v2|.+", ["baseline"] = "a(b)" }, TimeSpan.FromSeconds(2))
            .ShouldBe("x{v=~\"v2\\\\|\\\\.\\\\+\", w!~ 'a\\\\(b\\\\)'}");
    }

    [Fact]
    public void A_single_quoted_literal_escapes_single_quotes()
    {
        PromQuery.Fill("x{v='{version}'}", new Dictionary<string, string>(Values) { ["version"] = "it's" }, TimeSpan.FromSeconds(2)).ShouldBe("x{v='it\\'s'}");
    }

    [Theory]
    [InlineData("x{v={version}}", "{version} stands outside a string")]
    [InlineData("x{v=`{version}`}", "raw")]
    [InlineData("x{v=\"[{interval}]\"}", "{interval} stands inside a string")]
    [InlineData("x{v=\"{who}\"}", "unknown placeholder {who}")]
    public void Unsafe_spots_are_named(string template, string problem)
    {
        PromQuery.Problem(template).ShouldNotBeNull().ShouldContain(problem);
    }

    [Fact]
    public void Comments_and_escaped_quotes_do_not_confuse_the_scan()
    {
        PromQuery.Problem("x{v=\"a\\\"{version}\"} # {service} in a comment").ShouldBeNull();
    }

    [Theory]
    [InlineData(2, "2s")]
    [InlineData(60, "1m")]
    [InlineData(90, "90s")]
    [InlineData(7200, "2h")]
    public void Intervals_are_written_as_prometheus_durations(int seconds, string expected) =>
        PromQuery.Duration(TimeSpan.FromSeconds(seconds)).ShouldBe(expected);

    [Theory]
    [InlineData(0.02, null, null)]
    [InlineData(0.2, null, "0.2 is above max 0.05")]
    [InlineData(0.04, 0.01, "0.04 is worse than the baseline's 0.01 by more than the tolerance 0.02")]
    [InlineData(0.02, 0.01, null)]
    public void A_max_metric_compared_with_its_baseline(double value, double? baseline, string? why)
    {
        var metric = new CanaryMetric("error-rate", "q", null, 0.05, true, 0.02);
        var verdict = CanaryJudge.WhyFails(metric, value, baseline ?? 0);
        if (why is null)
        {
            verdict.ShouldBeNull();
        }
        else
        {
            verdict.ShouldBe(why);
        }
    }

    [Fact]
    public void No_series_or_nan_fails_where_the_canary_had_requests_and_a_min_metric_fails_lower()
    {
        var max = new CanaryMetric("e", "q", null, 1, false, 0);
        CanaryJudge.WhyFails(max, null, null).ShouldNotBeNull().ShouldContain("no series");
        CanaryJudge.WhyFails(max, double.NaN, null).ShouldNotBeNull().ShouldContain("NaN");
        var min = new CanaryMetric("success", "q", 0.9, null, true, 0.01);
        CanaryJudge.WhyFails(min, 0.95, 0.97).ShouldNotBeNull().ShouldContain("worse than the baseline's 0.97");
        CanaryJudge.WhyFails(min, 0.965, 0.97).ShouldBeNull();
        CanaryJudge.WhyFails(min, 0.965, null).ShouldNotBeNull().ShouldContain("the baseline's query returned no series");
    }
}
