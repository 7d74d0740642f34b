using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Integrations.LocalProcesses;
using Onward.Core.Insight;
using Onward.Server.Insight;
using Onward.Server.Auth;
using Onward.Storage.Insight;
using Prometheus;

namespace Onward.Server.Api.Insight;

/// <summary>
/// <c>GET /metrics</c>: every metric in the Prometheus text format (Onward's, and the .NET runtime's and process's),
/// with the totals kept in the database read at each scrape. With <c>auth.mode: tokens</c> it needs a viewer's token
/// (Prometheus: <c>authorization: { credentials: … }</c>), as the API does.
/// </summary>
public static class MetricsEndpoint
{
    private static readonly string[] JobKinds = ["Build", "Deploy", "Delivery"];
    private static readonly string[] JobStates = ["due", "leased", "later"];
    private static readonly HashSet<(string, string)> Leases = [];
    private static readonly SemaphoreSlim Refreshing = new(1, 1);

    public static void MapMetrics(this IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", async (HttpContext http, InsightQueries queries, TimeProvider time, OnwardConfig config, LocalTarget local, CancellationToken cancellationToken) =>
        {
            await RefreshAsync(queries, time.GetUtcNow(), cancellationToken);
            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(http.Response.Body, cancellationToken);
            await http.Response.WriteAsync(LocalTrafficMetrics.Text(config, local), cancellationToken);
        }).RequireRole(Permissions.Read);

    private static async Task RefreshAsync(InsightQueries queries, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await Refreshing.WaitAsync(cancellationToken);
        try
        {
            foreach (var total in await queries.DeploymentTotalsAsync(cancellationToken))
            {
                OnwardMetrics.Deployments.WithLabels(total.Service, total.Environment, total.Trigger.ToLowerInvariant(), total.State.ToLowerInvariant()).IncTo(total.Count);
            }
            var jobs = await queries.JobTotalsAsync(now, cancellationToken);
            foreach (var kind in JobKinds)
            {
                foreach (var state in JobStates)
                {
                    OnwardMetrics.Jobs.WithLabels(kind.ToLowerInvariant(), state).Set(jobs.FirstOrDefault(j => j.Kind == kind && j.State == state)?.Count ?? 0);
                }
                var oldest = jobs.Where(j => j.Kind == kind && j.State != "later" && j.OldestDueAt is not null).Select(j => j.OldestDueAt!.Value).DefaultIfEmpty().Min();
                OnwardMetrics.OldestDueSeconds.WithLabels(kind.ToLowerInvariant()).Set(oldest == 0 ? 0 : Math.Max(0, (now - DateTimeOffset.FromUnixTimeMilliseconds(oldest)).TotalSeconds));
            }
            var leases = await queries.LeasesAsync(cancellationToken);
            foreach (var gone in Leases.Except(leases.Select(l => (l.Name, l.Owner))).ToList())
            {
                OnwardMetrics.LeaseExpiresSeconds.RemoveLabelled(gone.Item1, gone.Item2);
                Leases.Remove(gone);
            }
            foreach (var lease in leases)
            {
                Leases.Add((lease.Name, lease.Owner));
                OnwardMetrics.LeaseExpiresSeconds.WithLabels(lease.Name, lease.Owner).Set((DateTimeOffset.FromUnixTimeMilliseconds(lease.UntilAt) - now).TotalSeconds);
            }
        }
        finally
        {
            Refreshing.Release();
        }
    }
}
