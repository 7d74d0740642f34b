using Onward.Contracts.Deployments;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Onward.Contracts.Environments;
using Onward.Contracts.Notifications;
using Onward.Testing;

namespace Onward.Server.Tests.Insight;

/// <summary>Issue 16.1: notifications through the outbox, to a Slack-compatible sink and to signed webhooks, with retries and refusals.</summary>
public class NotificationTests
{
    private const string Secret = "the hook secret";

    [Fact]
    public async Task Events_reach_each_sink_that_wants_them_signed_retried_on_5xx_refused_on_4xx_and_a_down_or_slow_sink_delays_nothing()
    {
        await using var dir = new TempDirectory();
        await using var hooks = await HookReceiver.StartAsync();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var first = await repo.CommitAsync("first");
        hooks.Answer("/ops", 503, 503);
        hooks.Answer("/strict", 400);
        hooks.Delay("/slow", TimeSpan.FromMinutes(5));
        var port = Ports.Free();
        var yaml = TestConfig.Yaml(port, [TestConfig.AutoEnvironment("dev"), TestConfig.ManualEnvironment("prod")],
            [SampleService.ServiceYaml("shop", repo.Path, poll: "1h")], $$"""
            notifications:
              chat: { slack: { url: "{{hooks.Url("/slack")}}" } }
              ops: { webhook: { url: "{{hooks.Url("/ops")}}", secret: "{{Secret}}" }, environments: [prod], backoff: 200ms }
              strict: { webhook: { url: "{{hooks.Url("/strict")}}", secret: other }, events: [deployment.succeeded] }
              down: { webhook: { url: "http://127.0.0.1:{{Ports.Free()}}/nobody", secret: other }, events: [deployment.succeeded], backoff: 100ms }
              slow: { webhook: { url: "{{hooks.Url("/slow")}}", secret: other }, events: [deployment.succeeded] }
            """);
        await using var onward = await OnwardHost.StartAsync(dir.Path, yaml);

        (await onward.Api.FinishedDeploymentAsync("shop", "dev", first)).State.ShouldBe(DeploymentState.Succeeded);
        var verified = await Eventually.WaitAsync(() => Task.FromResult(hooks.At("/slack").FirstOrDefault()), "the chat message of dev's deployment");
        var text = verified.Json["text"]!.GetValue<string>();
        text.ShouldStartWith($"✅ shop {first[..7]} verified in dev (by onward)");
        text.ShouldEndWith($"http://127.0.0.1:{port}/deployments/1");
        hooks.At("/ops").ShouldBeEmpty("ops wants prod only");

        using (var freeze = await onward.Api.Http.PostAsJsonAsync("api/v1/environments/prod/freeze", new FreezeRequestBody("2h", "release train")))
        {
            freeze.StatusCode.ShouldBe(HttpStatusCode.OK, await freeze.Content.ReadAsStringAsync());
        }
        var frozen = await Eventually.WaitAsync(() => Task.FromResult(hooks.At("/ops").Count >= 3 ? hooks.At("/ops") : null), "the freeze to reach ops, after two 503s");
        frozen.Select(r => r.Json["id"]!.GetValue<long>()).Distinct().ShouldHaveSingleItem("the same event each attempt");
        var sent = frozen[^1];
        sent.Headers["X-Onward-Event"].ShouldBe("freeze.started");
        sent.Headers["X-Onward-Signature-256"].ShouldBe("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), sent.Body)));
        sent.Json["type"]!.GetValue<string>().ShouldBe("freeze.started");
        sent.Json["environment"]!.GetValue<string>().ShouldBe("prod");
        sent.Json["actor"]!.GetValue<string>().ShouldBe("anonymous");
        sent.Json["message"]!.GetValue<string>().ShouldContain("release train");
        (frozen[1].At - frozen[0].At).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(150), "backoff between attempts");

        (await onward.Api.Http.DeleteAsync("api/v1/environments/prod/freeze")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (status, problem, _) = await onward.Api.RequestAsync("shop", "prod", first[..7]);
        status.ShouldBe(HttpStatusCode.Accepted, problem?.Detail);
        (await onward.Api.FinishedDeploymentAsync("shop", "prod", first)).State.ShouldBe(DeploymentState.Succeeded);
        await Eventually.WaitAsync(() => Task.FromResult(hooks.At("/ops").Any(r => r.Json["type"]!.GetValue<string>() == "deployment.succeeded")),
            "prod's deployment to reach ops");

        NotificationDeliveryResponse[] deliveries = [];
        try
        {
            await Eventually.WaitAsync(async () => (deliveries = await onward.Api.GetAsync<NotificationDeliveryResponse[]>("api/v1/notifications/deliveries?limit=100"))
                is var all && all.Any(d => d.Sink == "down" && d.Attempts >= 2) && all.Count(d => d.Sink == "strict" && d.State != "pending") == 2
                && all.Any(d => d.Sink == "slow" && d.Attempts >= 1), "the deliveries to settle");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + ": " + string.Join("; ", deliveries.Select(d => $"{d.Sink} {d.Event.Type} {d.State} ({d.Attempts}) {d.LastError}")), e);
        }
        var opsFreeze = deliveries.Single(d => d.Sink == "ops" && d.Event.Type == NotificationKind.FreezeStarted);
        (opsFreeze.State, opsFreeze.Attempts, opsFreeze.LastStatus).ShouldBe(("sent", 3, 200));
        deliveries.Where(d => d.Sink == "ops").Select(d => d.Event.Type).ShouldBe([NotificationKind.Succeeded, NotificationKind.FreezeEnded, NotificationKind.FreezeStarted], ignoreOrder: true);
        var refused = deliveries.Single(d => d.Sink == "strict" && d.State == "failed");
        (refused.Attempts, refused.LastStatus).ShouldBe((1, 400));
        deliveries.Single(d => d.Sink == "strict" && d.State == "sent").Event.Environment.ShouldBe("prod", "the next event is sent: a refusal ends one delivery, not the sink");
        refused.LastError!.ShouldContain("not tried again");
        var down = deliveries.First(d => d.Sink == "down" && d.Attempts >= 2); // the one waited for: another may not be tried yet
        down.State.ShouldBe("pending");
        down.LastError!.ShouldStartWith("could not reach 127.0.0.1");
        var slow = deliveries.Where(d => d.Sink == "slow").ToList();
        slow.ShouldAllBe(d => d.State == "pending");
        slow.ShouldContain(d => d.LastError == "127.0.0.1 did not answer within 10 s");
        hooks.At("/slow").ShouldNotBeEmpty();
        opsFreeze.SentAt!.Value.ShouldBeLessThan(hooks.At("/slow")[0].At.AddSeconds(10), "ops was sent while slow kept its request waiting");
        deliveries.Where(d => d.Sink == "chat").Select(d => d.Event.Type).ShouldBe(
            [NotificationKind.Succeeded, NotificationKind.FreezeStarted, NotificationKind.FreezeEnded, NotificationKind.Succeeded], ignoreOrder: true);
        var raw = await onward.Api.Http.GetStringAsync("api/v1/notifications/deliveries?limit=100");
        raw.ShouldNotContain(Secret);
        raw.ShouldNotContain("/slack");
        (await onward.Api.Http.GetAsync("api/v1/notifications/deliveries?state=lost")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var cli = await OnwardCli.RunAsync(null, "notifications", "deliveries", "--sink", "ops", "--server", onward.Config.Server.Listen.ToString());
        cli.ExitCode.ShouldBe(0, cli.Error);
        cli.Output.ShouldContain("freeze.started");
        cli.Output.ShouldContain("sent");
    }

    [Fact]
    public async Task A_freeze_window_beginning_and_ending_is_told_by_onward()
    {
        await using var dir = new TempDirectory();
        await using var hooks = await HookReceiver.StartAsync();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        await repo.CommitAsync("first");
        var today = DateTimeOffset.UtcNow.Date;
        var friday = new DateTimeOffset(today.AddDays(7 + ((int)DayOfWeek.Friday - (int)today.DayOfWeek + 7) % 7), TimeSpan.Zero);
        var clock = new ShiftedClock(friday.AddHours(17).AddMinutes(59));
        var yaml = TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev"),
            TestConfig.ManualEnvironment("prod", "{ freeze: [ { cron: \"0 18 * * FRI\", duration: 1h, timezone: UTC } ] }")],
            [SampleService.ServiceYaml("shop", repo.Path, poll: "1h")], $$"""
            notifications:
              ops: { webhook: { url: "{{hooks.Url("/ops")}}", secret: "{{Secret}}" }, events: [freeze.started, freeze.ended] }
            """);
        await using var onward = await OnwardHost.StartAsync(dir.Path, yaml, clock);

        clock.AdvanceTo(friday.AddHours(18).AddSeconds(5));
        var began = await Eventually.WaitAsync(() => Task.FromResult(hooks.At("/ops").FirstOrDefault()), "the window's beginning to be told");
        clock.AdvanceTo(friday.AddHours(19).AddSeconds(5));
        var ended = await Eventually.WaitAsync(() => Task.FromResult(hooks.At("/ops").Skip(1).FirstOrDefault()), "the window's end to be told");

        (began.Json["type"]!.GetValue<string>(), began.Json["environment"]!.GetValue<string>(), began.Json["actor"]!.GetValue<string>()).ShouldBe(("freeze.started", "prod", "onward"));
        began.Json["message"]!.GetValue<string>().ShouldContain($"deployments wait until {friday:yyyy-MM-dd} 19:00 UTC");
        (ended.Json["type"]!.GetValue<string>(), ended.Json["environment"]!.GetValue<string>()).ShouldBe(("freeze.ended", "prod"));
        // The next week's window is told after anything the watch could still tell of this one: a barrier, not a wait.
        clock.AdvanceTo(friday.AddDays(7).AddHours(18).AddSeconds(5));
        await Eventually.WaitAsync(() => Task.FromResult(hooks.At("/ops").Skip(2).FirstOrDefault()), "the next window's beginning to be told");
        hooks.At("/ops").Select(r => r.Json["type"]!.GetValue<string>()).ShouldBe(["freeze.started", "freeze.ended", "freeze.started"], "each told once");
    }

    /// <summary>Issue 22.9: what a receiver answered may echo secrets: viewers see the host, status and reason; admins see the answer.</summary>
    [Fact]
    public async Task A_receivers_answer_to_a_refused_delivery_is_shown_to_admins_only()
    {
        await using var dir = new TempDirectory();
        await using var hooks = await HookReceiver.StartAsync();
        hooks.Respond(r => r.Path == "/strict" ? (403, """{"error":"token sk_live_0123456789 of ops-bot is not allowed here"}""") : null);
        var yaml = TestConfig.Yaml(Ports.Free(), [TestConfig.ManualEnvironment("prod")], [], $$"""
            auth: { mode: tokens }
            notifications:
              strict: { webhook: { url: "{{hooks.Url("/strict")}}", secret: other } }
            """);
        await using var onward = await OnwardHost.StartAsync(dir.Path, yaml);
        string Token(OnwardCli.Result r) => System.Text.Json.JsonDocument.Parse(r.Output).RootElement.GetProperty("token").GetString()!;
        var root = Token(await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json"));
        var vera = Token(await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "vera", "--role", "viewer", "--json"));
        using var admin = new OnwardApi(onward.Config.Server.Listen, root);
        using var viewer = new OnwardApi(onward.Config.Server.Listen, vera);
        (await admin.Http.PostAsJsonAsync("api/v1/environments/prod/freeze", new FreezeRequestBody("2h", "release train"))).EnsureSuccessStatusCode();

        var failed = await Eventually.WaitAsync(async () => (await admin.GetAsync<NotificationDeliveryResponse[]>("api/v1/notifications/deliveries"))
            .FirstOrDefault(d => d.State == "failed"), "the refused delivery");

        failed.LastError.ShouldBe($"127.0.0.1 answered 403 Forbidden — it answered: {{\"error\":\"token sk_live_0123456789 of ops-bot is not allowed here\"}} (not tried again: fix the configuration)");
        var seen = (await viewer.GetAsync<NotificationDeliveryResponse[]>("api/v1/notifications/deliveries")).Single(d => d.Id == failed.Id);
        seen.LastError.ShouldBe("127.0.0.1 answered 403 Forbidden (not tried again: fix the configuration)");
        seen.LastStatus.ShouldBe(403);
        var cli = await OnwardCli.RunAsync(null, "notifications", "deliveries", "--server", onward.Config.Server.Listen.ToString(), "--token", vera);
        cli.Output.ShouldNotContain("sk_live");
    }
}
