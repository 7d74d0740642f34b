using Onward.Core.Insight;

namespace Onward.Core.Tests.Insight;

/// <summary>Issue 16.5: the DORA arithmetic on a seeded history of one environment over 30 days.</summary>
public class DoraTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(int day, double hour) => Start.AddDays(day).AddHours(hour);

    private static DoraDeployment Verified(long id, int day, double hour, DateTimeOffset firstCommit, bool fixes = false, string service = "shop") =>
        new(id, service, true, At(day, hour), firstCommit, fixes);

    private static readonly IReadOnlyList<DoraDeployment> History =
    [
        Verified(1, 1, 10, At(0, 10)),                       // lead 24 h
        Verified(2, 3, 12, At(3, 10)),                       // lead 2 h
        new(3, "shop", false, At(5, 9), null, false),        // failed; restored by 4 after 1.5 h
        Verified(4, 5, 10.5, At(5, 9.5), fixes: true),       // lead 1 h; fixes, but 46.5 h after 2: 2 stays a good change
        Verified(5, 10, 0, At(9, 12)),                       // lead 12 h
        Verified(6, 12, 8, At(12, 7), fixes: true),          // lead 1 h; 32 h after 5: outside the fix window
        Verified(7, 20, 0, At(19, 0)),                       // lead 24 h; fixed by 8 within 6 h: a failed change
        Verified(8, 20, 6, At(20, 5), fixes: true),          // lead 1 h
        Verified(9, 2, 0, At(-1, 0), service: "web"),        // lead 72 h
    ];

    [Fact]
    public void Each_measure_per_service_and_overall_with_its_band()
    {
        var (overall, services) = Dora.Measure(History.Reverse().ToList(), 30);

        var shop = services.Single(s => s.Service == "shop");
        (shop.Deployments, Math.Round(shop.PerDay, 3), shop.FrequencyBand).ShouldBe((7, 0.233, DoraBand.High));
        shop.LeadTime.ShouldBe(new DoraDuration(TimeSpan.FromHours(2), TimeSpan.FromHours(24), 7, DoraBand.Elite));
        (shop.FailedChanges, shop.Changes, shop.ChangeFailureRate, shop.ChangeFailureBand).ShouldBe((2, 8, 0.25, DoraBand.Low));
        shop.TimeToRestore.ShouldBe(new DoraDuration(TimeSpan.FromHours(1.5), TimeSpan.FromHours(6), 2, DoraBand.High));

        var web = services.Single(s => s.Service == "web");
        (web.Deployments, web.FrequencyBand).ShouldBe((1, DoraBand.Medium));
        web.LeadTime.ShouldBe(new DoraDuration(TimeSpan.FromHours(72), TimeSpan.FromHours(72), 1, DoraBand.High));
        (web.ChangeFailureRate, web.ChangeFailureBand).ShouldBe((0.0, DoraBand.Elite));
        web.TimeToRestore.ShouldBe(new DoraDuration(null, null, 0, null));

        overall.Service.ShouldBeNull();
        (overall.Deployments, overall.FrequencyBand).ShouldBe((8, DoraBand.High));
        overall.LeadTime.ShouldBe(new DoraDuration(TimeSpan.FromHours(2), TimeSpan.FromHours(72), 8, DoraBand.Elite));
        (overall.FailedChanges, overall.Changes, overall.ChangeFailureBand).ShouldBe((2, 9, DoraBand.Low));
        overall.TimeToRestore.ShouldBe(new DoraDuration(TimeSpan.FromHours(1.5), TimeSpan.FromHours(6), 2, DoraBand.High));
    }

    [Fact]
    public void An_environment_without_deployments_is_low_in_frequency_and_has_nothing_else_to_say()
    {
        var (overall, services) = Dora.Measure([], 30);

        services.ShouldBeEmpty();
        (overall.Deployments, overall.PerDay, overall.FrequencyBand).ShouldBe((0, 0.0, DoraBand.Low));
        (overall.LeadTime.Band, overall.ChangeFailureRate, overall.ChangeFailureBand, overall.TimeToRestore.Band).ShouldBe(((DoraBand?)null, (double?)null, (DoraBand?)null, (DoraBand?)null));
    }

    [Theory]
    [InlineData(2.0, DoraBand.Elite)]
    [InlineData(1.0, DoraBand.Elite)]
    [InlineData(0.5, DoraBand.High)]
    [InlineData(1 / 7.0, DoraBand.High)]
    [InlineData(0.1, DoraBand.Medium)]
    [InlineData(1 / 30.0, DoraBand.Medium)]
    [InlineData(0.03, DoraBand.Low)]
    public void Deployment_frequency_bands(double perDay, DoraBand band) => Dora.FrequencyBand(perDay).ShouldBe(band);

    [Theory]
    [InlineData(23.9, DoraBand.Elite)]
    [InlineData(24, DoraBand.High)]
    [InlineData(24 * 7, DoraBand.Medium)]
    [InlineData(24 * 30, DoraBand.Low)]
    public void Lead_time_bands(double hours, DoraBand band) => Dora.LeadTimeBand(TimeSpan.FromHours(hours)).ShouldBe(band);

    [Theory]
    [InlineData(0.05, DoraBand.Elite)]
    [InlineData(0.1, DoraBand.High)]
    [InlineData(0.15, DoraBand.Medium)]
    [InlineData(0.16, DoraBand.Low)]
    public void Change_failure_bands(double rate, DoraBand band) => Dora.ChangeFailureBand(rate).ShouldBe(band);

    [Theory]
    [InlineData(0.9, DoraBand.Elite)]
    [InlineData(1, DoraBand.High)]
    [InlineData(24, DoraBand.Medium)]
    [InlineData(24 * 7, DoraBand.Low)]
    public void Time_to_restore_bands(double hours, DoraBand band) => Dora.RestoreBand(TimeSpan.FromHours(hours)).ShouldBe(band);
}
