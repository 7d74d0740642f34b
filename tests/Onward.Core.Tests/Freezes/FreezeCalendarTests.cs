using Cronos;
using Onward.Core.Configuration;
using Onward.Core.Freezes;

namespace Onward.Core.Tests.Freezes;

public class FreezeCalendarTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static FreezeWindow Window(string cron, TimeSpan duration, TimeZoneInfo zone) =>
        new(cron, duration, zone.Id) { Expression = CronExpression.Parse(cron), Zone = zone };

    // 2026-11-27 is a Friday; Berlin is UTC+1 in winter.
    private static readonly FreezeWindow Weekend = Window("0 18 * * FRI", TimeSpan.FromHours(62), Berlin);

    [Fact]
    public void A_weekend_window_freezes_from_friday_evening_local_time_until_monday_morning()
    {
        FreezeCalendar.At("prod", [Weekend], [], new DateTimeOffset(2026, 11, 27, 16, 59, 0, TimeSpan.Zero)).ShouldBeNull();

        var frozen = FreezeCalendar.At("prod", [Weekend], [], new DateTimeOffset(2026, 11, 27, 17, 0, 0, TimeSpan.Zero))!;

        frozen.Until.ShouldBe(new DateTimeOffset(2026, 11, 30, 7, 0, 0, TimeSpan.Zero));
        frozen.Why.ShouldBe("prod is in its freeze window \"0 18 * * FRI\" for 62h00m (Europe/Berlin), which began 2026-11-27 17:00 UTC");
        FreezeCalendar.At("prod", [Weekend], [], new DateTimeOffset(2026, 11, 30, 7, 0, 0, TimeSpan.Zero)).ShouldBeNull();
    }

    [Fact]
    public void The_window_starts_by_the_local_clock_and_lasts_its_duration_across_a_daylight_saving_change()
    {
        // 2027-03-26 is the Friday before Europe switches to summer time: it starts at 18:00 in Berlin (17:00 UTC)
        // and lasts 62 hours of real time, so it ends at 09:00 summer time on Monday.
        var frozen = FreezeCalendar.At("prod", [Weekend], [], new DateTimeOffset(2027, 3, 26, 17, 30, 0, TimeSpan.Zero))!;

        frozen.Until.ShouldBe(new DateTimeOffset(2027, 3, 29, 7, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Windows_and_ad_hoc_freezes_that_overlap_make_one_freeze_until_the_last_ends()
    {
        var nightly = Window("0 22 * * *", TimeSpan.FromHours(8), TimeZoneInfo.Utc);
        var now = new DateTimeOffset(2026, 12, 1, 21, 0, 0, TimeSpan.Zero);
        var incident = new EnvironmentFreeze(1, "prod", now.AddHours(2), "incident 4711", "root", now.AddMinutes(-5), null, null);

        var frozen = FreezeCalendar.At("prod", [nightly], [incident], now)!;

        frozen.Why.ShouldBe("prod is frozen by root: incident 4711");
        frozen.Until.ShouldBe(new DateTimeOffset(2026, 12, 2, 6, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void A_lifted_ad_hoc_freeze_no_longer_holds()
    {
        var now = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var lifted = new EnvironmentFreeze(1, "prod", now.AddHours(2), "incident", "root", now.AddHours(-1), now.AddMinutes(-1), "bob");

        FreezeCalendar.At("prod", [], [lifted], now).ShouldBeNull();
    }
}
