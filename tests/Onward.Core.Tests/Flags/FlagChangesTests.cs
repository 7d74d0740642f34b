using System.Text.Json.Nodes;
using Onward.Contracts.Flags;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Flags;
using Onward.Testing.Fakes;

namespace Onward.Core.Tests.Flags;

/// <summary>The one rule for flag changes that the API, the web UI and the CLI share: applied at once, or asked for where changes need approval, and never asked for when they could not apply.</summary>
public class FlagChangesTests
{
    private const string Yaml = """
        auth: { mode: tokens }
        environments:
          dev: { target: { local: {} } }
          prod: { target: { local: {} }, policy: { approval: { required: 2, approvers: [release-managers] }, flags: { approval: true } } }
        services:
          app:
            repository: https://git.example/acme/app.git
            build: { command: { run: make } }
            deploy: { local: { command: run, healthUrl: "http://127.0.0.1:8081/" } }
        """;

    private const string Document = """{"flags":{"shout":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off"}}}""";

    private static readonly Identity Dave = new("dave", Role.Deployer, []);
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Where_changes_need_no_approval_a_switch_applies_at_once_and_one_that_cannot_apply_changes_nothing()
    {
        var (changes, catalog, _) = await SetupAsync("dev");

        var on = await changes.SwitchAsync("dev", "shout", new FlagSwitchOrder(null, "on", null), "louder", Dave, None);
        var unknown = await changes.SwitchAsync("dev", "shout", new FlagSwitchOrder(null, "loud", null), "louder", Dave, None);
        var missing = await changes.SwitchAsync("dev", "whisper", new FlagSwitchOrder("DISABLED", null, null), "quiet", Dave, None);

        on.ShouldBeOfType<FlagChangeOutcome.Applied>().Flag!.Flag.DefaultVariant.ShouldBe("on");
        unknown.ShouldBeOfType<FlagChangeOutcome.Invalid>().Detail.ShouldBe("the switch cannot apply to shout; nothing was changed");
        missing.ShouldBeOfType<FlagChangeOutcome.NotFound>();
        (await catalog.GetAsync("dev", None)).Flags["shout"].Flag.DefaultVariant.ShouldBe("on");
    }

    [Fact]
    public async Task Where_changes_need_approval_a_change_that_could_apply_becomes_a_request_and_one_that_could_not_is_refused_before_approvers_see_it()
    {
        var (changes, catalog, requests) = await SetupAsync("prod");

        var asked = await changes.SwitchAsync("prod", "shout", new FlagSwitchOrder("DISABLED", null, null), " kill it ", Dave, None);
        var refused = await changes.SwitchAsync("prod", "shout", new FlagSwitchOrder(null, "loud", null), "louder", Dave, None);
        var unswitched = await changes.RemoveSwitchAsync("prod", "shout", null, Dave, None);
        var badSet = await changes.ReplaceSetAsync("prod", "{\"flags\": 3}", null, Dave, None);

        var requested = asked.ShouldBeOfType<FlagChangeOutcome.Requested>();
        requested.Needs.ShouldBe("2 approvals from release-managers");
        (requested.Request.Kind, requested.Request.Comment, requested.Request.RequestedBy).ShouldBe((FlagRequestKind.Switch, "kill it", "dave"));
        FlagSwitchOrder.FromPayload(requested.Request.Payload).ShouldBe(new FlagSwitchOrder("DISABLED", null, null));
        refused.ShouldBeOfType<FlagChangeOutcome.Invalid>().Detail.ShouldBe("the switch cannot apply to shout; nothing was requested");
        unswitched.ShouldBeOfType<FlagChangeOutcome.NotFound>().Detail.ShouldBe("shout has no switch in prod; `GET …/flags` shows which flags are switched");
        badSet.ShouldBeOfType<FlagChangeOutcome.Invalid>().Detail.ShouldEndWith("; nothing was requested");
        (await requests.ListAsync("prod", pendingOnly: true, None)).ShouldHaveSingleItem().Id.ShouldBe(requested.Request.Id);
        (await catalog.GetAsync("prod", None)).Flags["shout"].Flag.Enabled.ShouldBeTrue("nothing applies before the approvals");
    }

    [Theory]
    [InlineData("", null, "off", "say why in `comment`; switches are kept in the flag's history and the audit trail")]
    [InlineData("why", null, null, "send at least one of `state` (ENABLED or DISABLED), `defaultVariant` or `targeting` ({} for none)")]
    [InlineData("why", "enabled", null, "`state` is \"enabled\"; it is ENABLED or DISABLED")]
    public async Task A_switch_without_a_reason_or_a_change_or_with_an_unknown_state_is_refused_as_it_is(string comment, string? state, string? variant, string detail)
    {
        var (changes, _, _) = await SetupAsync("dev");

        var outcome = await changes.SwitchAsync("dev", "shout", new FlagSwitchOrder(state, variant, null), comment, Dave, None);

        outcome.ShouldBe(new FlagChangeOutcome.Invalid(detail, []));
    }

    [Fact]
    public async Task Only_a_deployer_or_more_changes_flags_and_a_comment_has_a_length_whatever_the_caller()
    {
        var (changes, _, _) = await SetupAsync("dev");
        var viewer = new Identity("vera", Role.Viewer, []);

        (await changes.SwitchAsync("dev", "shout", new FlagSwitchOrder("DISABLED", null, null), "quiet", viewer, None))
            .ShouldBe(new FlagChangeOutcome.Forbidden("only a deployer, approver or admin changes flags"));
        (await changes.RemoveSwitchAsync("dev", "shout", null, viewer, None)).ShouldBeOfType<FlagChangeOutcome.Forbidden>();
        (await changes.ReplaceSetAsync("dev", Document, null, viewer, None)).ShouldBeOfType<FlagChangeOutcome.Forbidden>();
        (await changes.SwitchAsync("dev", "shout", new FlagSwitchOrder("DISABLED", null, null), new string('x', FlagSwitch.LongestComment + 1), Dave, None))
            .ShouldBeOfType<FlagChangeOutcome.Invalid>().Detail.ShouldStartWith("`comment` is 1001 characters long");
    }

    [Fact]
    public async Task Targeting_over_64_KiB_is_refused_whatever_the_environment()
    {
        var (changes, _, _) = await SetupAsync("prod");
        var large = new JsonObject { ["if"] = new JsonArray(new JsonObject { ["in"] = new JsonArray("x", new string('a', 70_000)) }, "on", "off") };

        var outcome = await changes.SwitchAsync("prod", "shout", new FlagSwitchOrder(null, null, large), "big", Dave, None);

        outcome.ShouldBeOfType<FlagChangeOutcome.Invalid>().Detail.ShouldStartWith("`targeting` is over 64 KiB");
    }

    private static async Task<(FlagChanges Changes, FlagCatalog Catalog, FakeFlagRequestStore Requests)> SetupAsync(string environment)
    {
        var parsed = ConfigParser.Parse(Yaml, "onward.yaml", "/srv/onward", _ => null);
        var config = parsed.Config.ShouldNotBeNull(string.Join("\n", parsed.Problems));
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var database = new FakeDatabase();
        var catalog = new FlagCatalog(new FakeFlagStore(database), clock);
        (await catalog.ReplaceEnvironmentSetAsync(environment, Document, "root", None)).Problems.ShouldBeEmpty();
        var requests = new FakeFlagRequestStore(database);
        var approvals = new FlagApprovals(config, requests, catalog, clock);
        return (new FlagChanges(catalog, approvals, clock), catalog, requests);
    }
}
