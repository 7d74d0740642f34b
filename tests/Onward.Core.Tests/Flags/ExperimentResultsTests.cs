using Onward.Core.Flags;

namespace Onward.Core.Tests.Flags;

public class ExperimentResultsTests
{
    private static FlagDefinition Experiment(string weights = """["control", 50], ["treatment", 50]""") =>
        FlagSet.Parse("""{"flags": {"checkout": {"state": "ENABLED", "variants": {"control": "old", "treatment": "new"}, "defaultVariant": "control", "targeting": {"fractional": ["""
            + weights + "]}}}}").Set!.Flags["checkout"];

    [Fact]
    public void A_variant_is_compared_with_the_control_by_a_two_proportion_z_test_and_a_95_percent_interval()
    {
        var report = ExperimentResults.Compute(Experiment(), "purchase", [new VariantCounts("control", 1000, 100), new VariantCounts("treatment", 1000, 130)]);

        report.Control.ShouldBe("control");
        var treatment = report.Variants.Single(v => v.Variant == "treatment");
        treatment.Rate!.Value.ShouldBe(0.13, 1e-12);
        treatment.Difference!.Value.ShouldBe(0.03, 1e-12);
        // pooled p = 0.115, SE = sqrt(0.115 · 0.885 · 2/1000) = 0.0142671, z = 2.10274, two-sided p = 0.035490
        treatment.PValue!.Value.ShouldBe(0.035490, 2e-6);
        treatment.Significant.ShouldBeTrue();
        // unpooled SE = sqrt(0.1 · 0.9/1000 + 0.13 · 0.87/1000) = 0.0142513; 0.03 ± 1.96 · SE
        treatment.Low!.Value.ShouldBe(0.0020675, 1e-6);
        treatment.High!.Value.ShouldBe(0.0579325, 1e-6);
        report.SampleRatioPValue!.Value.ShouldBe(1, 1e-9);
        report.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public void A_split_that_differs_from_the_configured_weights_is_a_sample_ratio_mismatch()
    {
        var report = ExperimentResults.Compute(Experiment(), "purchase", [new VariantCounts("control", 1000, 100), new VariantCounts("treatment", 1200, 120)]);

        // expected 1100 each: chi-square = 2 · 100²/1100 = 18.18, one degree of freedom, p = 2.0e-5
        report.SampleRatioChiSquare!.Value.ShouldBe(18.1818, 1e-4);
        report.SampleRatioPValue!.Value.ShouldBe(2.0e-5, 1e-6);
        report.Warnings.ShouldHaveSingleItem().ShouldStartWith("sample ratio mismatch: the exposures (1000 / 1200) differ from the configured weights (50 / 50)");
        ExperimentResults.Compute(Experiment("""["control", 10], ["treatment", 90]"""), "purchase",
            [new VariantCounts("control", 100, 10), new VariantCounts("treatment", 900, 90)]).SampleRatioPValue!.Value.ShouldBe(1, 1e-9);
    }

    [Theory]
    [InlineData(3.841459, 1, 0.05)]
    [InlineData(5.991465, 2, 0.05)]
    [InlineData(6.634897, 1, 0.01)]
    [InlineData(11.344867, 3, 0.01)]
    [InlineData(0.454936, 1, 0.5)]
    public void The_chi_square_tail_matches_published_critical_values(double x, int degrees, double p) =>
        Statistics.ChiSquareSurvival(x, degrees).ShouldBe(p, 1e-6);

    [Theory]
    [InlineData(1.959964, 0.05)]
    [InlineData(2.575829, 0.01)]
    [InlineData(0, 1)]
    public void The_normal_tail_matches_published_critical_values(double z, double p) => Statistics.TwoSidedP(z).ShouldBe(p, 1e-6);

    [Fact]
    public void Small_samples_are_flagged_and_a_variant_nobody_saw_has_no_rate()
    {
        var report = ExperimentResults.Compute(Experiment(), "purchase", [new VariantCounts("control", 40, 4)]);

        report.Variants.Single(v => v.Variant == "treatment").Rate.ShouldBeNull();
        report.Warnings.ShouldContain(w => w.StartsWith("fewer than 100 users", StringComparison.Ordinal));
    }
}
