using Onward.Contracts.Deployments;
using Onward.Testing;
using Onward.Testing.Kubernetes;

namespace Onward.Server.Tests.Kubernetes;

/// <summary>
/// Issue 15: replicas sharing a PostgreSQL database watch a cluster one at a time, deploy there through that one, and
/// record drift once; when it dies another replica takes the cluster over.
/// </summary>
public class ClusterReplicaTests
{
    [Fact]
    public async Task One_replica_watches_a_cluster_and_deploys_there_and_the_other_takes_over_when_it_is_killed()
    {
        await using var team = await TeamCluster.StartAsync();
        await using var database = await TestPostgres.CreateDatabaseAsync();
        await team.Repo.WriteAsync("deploy/k8s/web.yaml", WebManifest.Deployment(team.Image));
        var first = await team.Repo.CommitAsync("first");
        var config = team.Dir.Combine("onward.yaml");
        await File.WriteAllTextAsync(config, database.Use(team.Yaml("{ manifests: deploy/k8s }", ("dev", "shop"), ("dev-b", "shop-b"))));
        var (urlOne, urlTwo) = (new Uri($"http://127.0.0.1:{Ports.Free()}/"), new Uri($"http://127.0.0.1:{Ports.Free()}/"));
        var one = await OnwardProcess.StartAsync(config, urlOne, team.Dir.Combine("one.log"), "--listen", urlOne.ToString().TrimEnd('/'));
        try
        {
            await team.ReleaseAsync(one.Api, first);
            foreach (var environment in new[] { "dev", "dev-b" })
            {
                (await one.Api.FinishedDeploymentAsync("web", environment, first)).State.ShouldBe(DeploymentState.Succeeded);
            }
            await Eventually.WaitAsync(() => Task.FromResult(team.Cluster.Store.OpenWatches > 0), "the watches to open");
            var alone = team.Cluster.Store.OpenWatches;

            await using var two = await OnwardProcess.StartAsync(config, urlTwo, team.Dir.Combine("two.log"), "--listen", urlTwo.ToString().TrimEnd('/'));
            var second = await team.Repo.CommitAsync("second");
            await team.ReleaseAsync(two.Api, second);
            foreach (var environment in new[] { "dev", "dev-b" })
            {
                (await two.Api.FinishedDeploymentAsync("web", environment, second)).State.ShouldBe(DeploymentState.Succeeded);
            }
            await team.PatchAsync("/apis/apps/v1/namespaces/shop/deployments/web", """{"spec":{"replicas":5}}""");
            var drift = await Eventually.WaitAsync(async () => (await two.Api.ServiceAsync("web")).Environments.Single(e => e.Name == "dev").Drift, "the drift to be seen");
            // The drift is stored before its event is appended: wait for the event. Then undo the change and wait for the
            // event that says so: a second replica watching would have told the drift by then too.
            await Eventually.WaitAsync(async () => (await two.Api.DeploymentAsync(drift.DeploymentId)).Events.Any(e => e.Message.StartsWith("drift: ", StringComparison.Ordinal)),
                "the drift's event");
            await team.PatchAsync("/apis/apps/v1/namespaces/shop/deployments/web", """{"spec":{"replicas":2}}""");
            var current = await Eventually.WaitAsync(async () => await two.Api.DeploymentAsync(drift.DeploymentId) is var d
                && d.Events.Any(e => e.Message.StartsWith("no drift any more", StringComparison.Ordinal)) ? d : null, "the end of the drift to be told");

            team.Cluster.Store.OpenWatches.ShouldBeLessThanOrEqualTo(alone, "one replica watches the cluster, not both");
            (await File.ReadAllTextAsync(two.Log)).ShouldNotContain("now watches cluster");
            current.Events.Count(e => e.Message.StartsWith("drift: ", StringComparison.Ordinal)).ShouldBe(1, "drift is recorded once, by the replica watching");
            current.Events.Count(e => e.Message.StartsWith("no drift any more", StringComparison.Ordinal)).ShouldBe(1, "and its end once");

            await one.KillAsync();

            await Eventually.WaitAsync(async () => (await File.ReadAllTextAsync(two.Log)).Contains("now watches cluster", StringComparison.Ordinal),
                "the surviving replica to take the cluster over", TimeSpan.FromSeconds(30));
            var third = await team.Repo.CommitAsync("third");
            await team.ReleaseAsync(two.Api, third);
            foreach (var environment in new[] { "dev", "dev-b" })
            {
                (await two.Api.FinishedDeploymentAsync("web", environment, third)).State.ShouldBe(DeploymentState.Succeeded);
            }
            await team.PatchAsync("/apis/apps/v1/namespaces/shop-b/deployments/web", """{"spec":{"replicas":4}}""");
            await Eventually.WaitAsync(async () => (await two.Api.ServiceAsync("web")).Environments.Single(e => e.Name == "dev-b").Drift,
                "the drift in dev-b to be seen by the replica that took over");
            await Eventually.WaitAsync(() => Task.FromResult(team.Cluster.Store.OpenWatches <= alone),
                "the killed replica's watches to close, leaving the survivor's");
            (await two.Api.DeploymentsAsync("web")).Length.ShouldBe(6, "each release deployed once to each environment");
        }
        finally
        {
            await one.DisposeAsync();
        }
    }
}
