using Onward.Testing;

namespace Onward.Server.Tests.Storage;

/// <summary>
/// Issue 15: three replicas on PostgreSQL with local environments under commits, signed webhooks, production requests
/// and approvals, one replica killed with SIGKILL and restarted every few seconds; no invariant may break.
/// The longer run is <c>bench chaos MINUTES</c>.
/// </summary>
public class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_replicas_killed_at_random_lose_no_webhook_leave_no_deployment_unfinished_apply_nothing_twice_and_never_move_backwards()
    {
        var report = await ChaosRun.RunAsync(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(6), output.WriteLine, minKills: 5);

        output.WriteLine($"kills {report.Kills}, deliveries {report.Deliveries}, production requests {report.Requests}, deployments {report.Deployments}");
        report.Breaches.ShouldBeEmpty();
        report.Kills.ShouldBeGreaterThanOrEqualTo(5);
        report.Deployments.ShouldBeGreaterThanOrEqualTo(10);
    }
}
