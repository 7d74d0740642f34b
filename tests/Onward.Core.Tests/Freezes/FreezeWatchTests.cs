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
            ("freeze.started", "dev", "dev frozen until 2026-11-27 19:00 UTC: migration"),
            ("freeze.ended", "prod", "the freeze window of prod ended; deployments go ahead"),
            ("freeze.ended", "dev", "freeze of dev set by alice (migration) ended at 2026-11-27 19:00 UTC"),
        ]);
    }

    [Fact]
    public async Task A_window_removed_from_onward_yaml_while_in_force_is_told_ended_at_once_and_a_replica_on_the_old_file_does_not_begin_it_again()
    {
        var config = ConfigParser.Parse(Yaml, "onward.yaml", "/srv/onward", _ => null, _ => true).Config.ShouldNotBeNull();
        var removed = ConfigParser.Parse(Yaml.Replace(", policy: { freeze: [ { cron: \"0 18 * * FRI\", duration: 2h, timezone: UTC } ] }", "", StringComparison.Ordinal),
            "onward.yaml", "/srv/onward", _ => null, _ => true).Config.ShouldNotBeNull();
        removed.Environments.Single(e => e.Name == "prod").Policy.Freeze.ShouldBeEmpty();
        var store = new FakeFreezeStore();
        var clock = new ShiftedClock(Friday.AddHours(18).AddMinutes(1));
        var old = new FreezeWatch(config, store, clock);
        var lagging = new FreezeWatch(config, store, new ShiftedClock(Friday.AddHours(18)));
        (await old.LookAsync(CancellationToken.None)).ShouldBe(1);

        clock.AdvanceTo(Friday.AddHours(18).AddMinutes(30));
        (await lagging.LookAsync(CancellationToken.None)).ShouldBe(0, "same onward.yaml, a clock behind: the window goes on");
        (await new FreezeWatch(removed, store, clock).LookAsync(CancellationToken.None)).ShouldBe(1, "removed: ended now, not at 20:00");
        (await new FreezeWatch(removed, store, clock).LookAsync(CancellationToken.None)).ShouldBe(0, "told once");
        (await old.LookAsync(CancellationToken.None)).ShouldBe(0, "a replica still on the old file does not begin it again");

        var gone = ConfigParser.Parse(Yaml.Replace("  prod: { target: { local: {} }, policy: { freeze: [ { cron: \"0 18 * * FRI\", duration: 2h, timezone: UTC } ] } }\n", "", StringComparison.Ordinal),
            "onward.yaml", "/srv/onward", _ => null, _ => true).Config.ShouldNotBeNull();
        gone.Environments.ShouldNotContain(e => e.Name == "prod");
        clock.AdvanceTo(Friday.AddDays(7).AddHours(18).AddMinutes(1));
        (await old.LookAsync(CancellationToken.None)).ShouldBe(1, "next week's window");
        (await new FreezeWatch(gone, store, clock).LookAsync(CancellationToken.None)).ShouldBe(1, "the environment removed: its window ended");

        store.Told.Select(t => (t.Kind, t.Message)).ShouldBe([
            ("freeze.started", "prod is in its freeze window \"0 18 * * FRI\" for 2h00m (UTC), which began 2026-11-27 18:00 UTC; deployments wait until 2026-11-27 20:00 UTC"),
            ("freeze.ended", "the freeze window of prod is no longer in onward.yaml; deployments go ahead"),
            ("freeze.started", "prod is in its freeze window \"0 18 * * FRI\" for 2h00m (UTC), which began 2026-12-04 18:00 UTC; deployments wait until 2026-12-04 20:00 UTC"),
            ("freeze.ended", "prod is no longer in onward.yaml; its freeze window ended"),
        ]);
    }

    [Fact]
    public async Task A_window_moved_to_begin_later_ends_at_once_and_begins_again_when_the_moved_one_begins()
    {
        var config = ConfigParser.Parse(Yaml, "onward.yaml", "/srv/onward", _ => null, _ => true).Config.ShouldNotBeNull();
        var moved = ConfigParser.Parse(Yaml.Replace("cron: \"0 18 * * FRI\", duration: 2h", "cron: \"0 19 * * FRI\", duration: 1h", StringComparison.Ordinal),
            "onward.yaml", "/srv/onward", _ => null, _ => true).Config.ShouldNotBeNull();
        var store = new FakeFreezeStore();
        var clock = new ShiftedClock(Friday.AddHours(18).AddMinutes(1));
        (await new FreezeWatch(config, store, clock).LookAsync(CancellationToken.None)).ShouldBe(1);

        var watch = new FreezeWatch(moved, store, clock);
        clock.AdvanceTo(Friday.AddHours(18).AddMinutes(30));
        (await watch.LookAsync(CancellationToken.None)).ShouldBe(1, "no window of the new file covers 18:01: ended");
        clock.AdvanceTo(Friday.AddHours(19).AddMinutes(1));
        (await watch.LookAsync(CancellationToken.None)).ShouldBe(1, "the moved window begins, though it ends at 20:00 as the old one would have");
        (await watch.LookAsync(CancellationToken.None)).ShouldBe(0);
        clock.AdvanceTo(Friday.AddHours(20).AddMinutes(1));
        (await watch.LookAsync(CancellationToken.None)).ShouldBe(1);

        store.Told.Select(t => t.Kind).ShouldBe(["freeze.started", "freeze.ended", "freeze.started", "freeze.ended"]);
        store.Told[2].Message.ShouldStartWith("prod is in its freeze window \"0 19 * * FRI\" for 1h00m (UTC), which began 2026-11-27 19:00 UTC");
    }
}
