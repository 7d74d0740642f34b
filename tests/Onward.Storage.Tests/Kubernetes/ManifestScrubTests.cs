using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Onward.Core.Configuration;
using Onward.Integrations.Kubernetes;
using Onward.Storage.Kubernetes;
using Onward.Testing;

namespace Onward.Storage.Tests.Kubernetes;

/// <summary>
/// Issue 22.1: manifests kept before secret values were kept out are masked at start-up, on both databases:
/// <see cref="ManifestScrubTestsOnSqlite"/> and <see cref="ManifestScrubTestsOnPostgres"/>.
/// </summary>
public abstract class ManifestScrubTests
{
    protected abstract StorageBackend Backend { get; }

    private static string Kept(string password) => """
        {"objects":[
          {"source":"k8s/db.yaml","group":"","version":"v1","resource":"secrets","namespaced":true,
           "body":{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop"},"data":{"password":"BASE64"}}},
          {"source":"k8s/db.yaml","group":"db.example.com","version":"v1","resource":"credentials","namespaced":true,
           "body":{"apiVersion":"db.example.com/v1","kind":"Credentials","metadata":{"name":"c","namespace":"shop"},"spec":{"password":"PLAIN-custom"}}}]}
        """.Replace("BASE64", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(password)), StringComparison.Ordinal)
        .Replace("PLAIN", password, StringComparison.Ordinal);

    [Fact]
    public async Task Manifests_kept_in_the_clear_and_files_of_old_versions_are_masked_once()
    {
        await using var db = await StorageFixture.CreateAsync(Backend);
        await using var dir = new TempDirectory();
        var store = new ManifestStore(db.Database);
        var release = await db.BuiltReleaseAsync("web", "aaaaaaa111");
        var kept = await db.QueueAsync(release, "dev");
        var filed = await db.QueueAsync(release, "prod");
        await store.SaveAsync(kept.Id, Kept("hunter-one"), "", CancellationToken.None);
        await using (var connection = await db.Database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("UPDATE deployment_manifests SET masked_with = NULL");
            // What earlier versions could write about it: an admission webhook quoting the value, a log line of the app.
            await connection.ExecuteAsync("UPDATE deployments SET reason = 'applying Secret/db failed: hunter-one is too short', diagnosis = 'log: password=hunter-one' WHERE id = @id", new { id = kept.Id });
            await connection.ExecuteAsync("INSERT INTO deployment_events (deployment_id, at, actor, state, message) VALUES (@id, 0, 'onward', 'Failed', 'drift: Credentials/c: spec.password is hunter-one-custom')", new { id = kept.Id });
        }
        Directory.CreateDirectory(dir.Combine("data", "rendered"));
        await File.WriteAllTextAsync(dir.Combine("data", "rendered", $"{filed.Id}.json"), Kept("hunter-two"));
        await File.WriteAllTextAsync(dir.Combine("data", "rendered", "999999.json"), Kept("of-a-deployment-long-gone"));
        var config = ConfigParser.Parse($$"""
            server: { dataDir: {{dir.Combine("data")}} }
            environments:
              dev: { target: { kubernetes: { server: "https://k8s.example", namespace: shop } } }
            services:
              web:
                repository: https://git.example/web.git
                build: { external: { image: r.example/web } }
                deploy: { manifests: k8s, secrets: [ { kind: Credentials, group: db.example.com, fields: [spec.password] } ] }
            """, "onward.yaml", dir.Path, _ => null, _ => true).Config!;
        var scrub = new ManifestScrub(store, config, NullLogger.Instance);

        // The file moves in masked by Secret (all its version knew), then is masked again by the service's kinds of today.
        (await scrub.RunAsync(CancellationToken.None)).ShouldBe(3);

        var dev = (await store.GetAsync(kept.Id, CancellationToken.None))!;
        dev.ShouldNotContain("hunter-one");
        dev.ShouldNotContain(Convert.ToBase64String("hunter-one"u8.ToArray()));
        RenderedManifests.Deserialize(dev).ShouldAllBe(o => o.Secrets != null, "the custom kind of the service's configuration is masked too");
        var prod = (await store.GetAsync(filed.Id, CancellationToken.None))!;
        prod.ShouldNotContain(Convert.ToBase64String("hunter-two"u8.ToArray()));
        prod.ShouldNotContain("hunter-two");
        File.Exists(dir.Combine("data", "rendered", $"{filed.Id}.json")).ShouldBeFalse();
        File.Exists(dir.Combine("data", "rendered", "999999.json")).ShouldBeFalse("a file of a deployment that is gone is dropped, and starting goes on");
        await using (var connection = await db.Database.OpenAsync(CancellationToken.None))
        {
            var (reason, diagnosis) = await connection.QuerySingleAsync<(string, string)>("SELECT reason, diagnosis FROM deployments WHERE id = @id", new { id = kept.Id });
            reason.ShouldBe("applying Secret/db failed: *** is too short");
            diagnosis.ShouldBe("log: password=***");
            (await connection.QuerySingleAsync<string>("SELECT message FROM deployment_events WHERE deployment_id = @id AND actor = 'onward' AND message LIKE 'drift:%'", new { id = kept.Id }))
                .ShouldBe("drift: Credentials/c: spec.password is ***");
        }
        (await scrub.RunAsync(CancellationToken.None)).ShouldBe(0);
    }
}

public sealed class ManifestScrubTestsOnSqlite : ManifestScrubTests
{
    protected override StorageBackend Backend => StorageBackend.Sqlite;
}

public sealed class ManifestScrubTestsOnPostgres : ManifestScrubTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;
}
