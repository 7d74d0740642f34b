using Onward.Core.Configuration;
using Onward.Core.Freezes;
using Onward.Testing;
using Onward.Testing.Fakes;

namespace Onward.Core.Tests.Freezes;

public class FreezeWatchTests
{
    private const string Yaml = """
        environments:
          dev: { target: { local: {} } }
          prod: { target: { local: {} }, policy: { freeze: [ { cron: "0 18 * * FRI", duration: 2h, timezone: UTC } ] } }
        services:
          app:
            repository: https://git.example/acme/app.git
            build: { command: { run: make } }
            deploy: { local: { command: run, healthUrl: "http://127.0.0.1:8081/" } }
        """;

    // 2026-11-27 is a Friday.
    private static readonly DateTimeOffset Friday = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_freeze_window_is_told_when_it_begins_and_when_it_ends_once_each_and_an_ad_hoc_freeze_when_it_runs_out()
    {
        var config = ConfigParser.Parse(Yaml, "onward.yaml", "/srv/onward", _ => null, _ => true).Config.ShouldNotBeNull();
        var store = new FakeFreezeStore();
        var clock = new ShiftedClock(Friday.AddHours(17).AddMinutes(59));
        var watch = new FreezeWatch(config, store, clock);

        (await watch.LookAsync(CancellationToken.None)).ShouldBe(0, "before the window");
        clock.AdvanceTo(Friday.AddHours(18).AddSeconds(1));
        (await watch.LookAsync(CancellationToken.None)).ShouldBe(1);
        (await watch.LookAsync(CancellationToken.None)).ShouldBe(0, "told once");
        await store.SetAsync("dev", Friday.AddHours(19), "migration", "alice", clock.GetUtcNow(), CancellationToken.None);
        clock.AdvanceTo(Friday.AddHours(20).AddSeconds(1));
        (await watch.LookAsync(CancellationToken.None)).ShouldBe(2, "the window ended, and dev's freeze ran out");
        (await watch.LookAsync(CancellationToken.None)).ShouldBe(0);

        store.Told.ShouldBe([
            ("freeze.started", "prod", "prod is in its freeze window \"0 18 * * FRI\" for 2h00m (UTC), which began 2026-11-27 18:00 UTC; deployments wait until 2026-11-27 20:00 UTC"),
            ("freeze.ended", "prod", "the freeze window of prod ended; deployments go ahead"),
            ("freeze.ended", "dev", "freeze of dev ended"),
        ]);
    }
}
