using Onward.Contracts.Deployments;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Onward.Contracts.Audit;
using Onward.Testing;
using Onward.Testing.Kubernetes;

namespace Onward.Server.Tests.Kubernetes;

/// <summary>
/// Issue 22.1: a Secret's values, as applied or as changed in the cluster, reach no answer, page, event, audit entry or
/// diagnosis; Onward keeps a digest per key, enough to see that a value changed and to put it back.
/// </summary>
public class SecretTests
{
    private const string FromGit = "s3cret-from-git-1";
    private const string TokenFromGit = "token-from-git-2";
    private const string LiveOnly = "live-only-value-3";
    private const string LiveAgain = "live-only-value-4";
    private const string Rotated = "rotated-in-git-5";
    private static readonly ResourceType Secrets = ResourceType.Known.First(t => t.Plural == "secrets");

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string App(string image, string password, string name = "web", string env = "") => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: {{name}} }
        spec:
          replicas: 1
          selector: { matchLabels: { app: {{name}} } }
          template:
            metadata: { labels: { app: {{name}} } }
            spec:
              containers:
                - name: app
                  image: "{{image}}:latest"
                  env: [ { name: ONWARD_TEST_PRINT_PASSWORD, valueFrom: { secretKeyRef: { name: {{name}}-db, key: password } } }{{env}} ]
        ---
        apiVersion: v1
        kind: Secret
        metadata: { name: {{name}}-db }
        data: { password: {{Base64(password)}} }
        stringData: { token: {{TokenFromGit}} }
        ---
        apiVersion: db.example.com/v1
        kind: Credentials
        metadata: { name: {{name}}-credentials }
        spec: { user: shop, password: {{password}}-in-a-custom-kind }

        """;

    private const string CredentialsCrd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: { name: credentials.db.example.com }
        spec:
          group: db.example.com
          scope: Namespaced
          names: { plural: credentials, singular: credentials, kind: Credentials }
          versions:
            - name: v1
              served: true
              storage: true
              schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }

        """;

    private const string Deploy = "{ manifests: deploy/k8s, secrets: [ { kind: Credentials, group: db.example.com, fields: [spec.password] } ] }";

    private static void ShouldHoldNoValue(string text, string where, params string[] values)
    {
        foreach (var value in values.Concat([FromGit, TokenFromGit, LiveOnly, LiveAgain, Rotated]))
        {
            text.ShouldNotContain(value, Case.Sensitive, where);
            text.ShouldNotContain(Base64(value), Case.Sensitive, where);
        }
    }

    [Fact]
    public async Task Secret_values_never_reach_an_answer_and_their_drift_is_told_by_key_alone()
    {
        await using var team = await TeamCluster.StartAsync();
        await team.Repo.WriteAsync("deploy/k8s/app.yaml", App(team.Image, FromGit));
        await team.Repo.WriteAsync("deploy/k8s/crd.yaml", CredentialsCrd);
        var commit = await team.Repo.CommitAsync();
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, team.Yaml(Deploy, ("dev", "shop")));
        await team.ReleaseAsync(onward, commit);
        var deployment = await onward.Api.FinishedDeploymentAsync("web", "dev", commit);
        deployment.State.ShouldBe(DeploymentState.Succeeded, deployment.Reason + deployment.Diagnosis);
        var server = onward.Config.Server.Listen.ToString();

        var yaml = await onward.Api.Http.GetStringAsync($"api/v1/deployments/{deployment.Id}/manifests");
        yaml.ShouldContain("kind: Secret");
        yaml.ShouldContain("password: '***'");
        yaml.ShouldContain("token: '***'");
        yaml.ShouldContain("user: shop");
        ShouldHoldNoValue(yaml, "the manifests");
        var cli = await OnwardCli.RunAsync(null, "deployments", "show", deployment.Id.ToString(), "--manifests", "--server", server);
        cli.Output.ShouldBe(yaml);
        // What Onward applied is whole: the cluster has the values (stringData as data, as a real API server keeps it).
        var live = team.Cluster.Store.Get(Secrets, "shop", "web-db")!;
        live["data"]!["password"]!.GetValue<string>().ShouldBe(Base64(FromGit));
        live["data"]!["token"]!.GetValue<string>().ShouldBe(Base64(TokenFromGit));
        live["stringData"].ShouldBeNull();

        await team.PatchAsync("/api/v1/namespaces/shop/secrets/web-db", "{\"data\":{\"password\":\"" + Base64(LiveOnly) + "\"}}");
        await team.PatchAsync("/apis/db.example.com/v1/namespaces/shop/credentials/web-credentials", "{\"spec\":{\"password\":\"" + LiveOnly + "\"}}");
        var drift = await Eventually.WaitAsync(async () => (await onward.Api.ServiceAsync("web")).Environments.Single().Drift is { Count: 2 } d ? d : null, "the drift to be seen");

        drift.Differences.Select(d => (d.Item, d.Field, d.Applied, d.Live, d.Secret)).ShouldBe(
            [("Secret/web-db in shop", "data.password", "***", "***", true), ("Credentials/web-credentials in shop", "spec.password", "***", "***", true)], ignoreOrder: true);
        var told = await Eventually.WaitAsync(async () => await onward.Api.DeploymentAsync(deployment.Id) is var d
            && d.Events[^1].Message.StartsWith("drift:", StringComparison.Ordinal) ? d : null, "the drift's event");
        told.Events[^1].Message.ShouldContain("Secret/web-db in shop: data.password changed (a secret value, not shown)");
        var show = await OnwardCli.RunAsync(null, "deployments", "show", deployment.Id.ToString(), "--server", server);
        show.Output.ShouldContain("Secret/web-db in shop: data.password changed (a secret value, not shown)");

        // A second change of the same key is a new finding, though it reads the same.
        await team.PatchAsync("/api/v1/namespaces/shop/secrets/web-db", "{\"data\":{\"password\":\"" + Base64(LiveAgain) + "\"}}");
        await Eventually.WaitAsync(async () => (await onward.Api.DeploymentAsync(deployment.Id)).Events.Count(e => e.Message.StartsWith("drift:", StringComparison.Ordinal)) == 2,
            "the second change's event");

        var everything = new StringBuilder()
            .Append(await onward.Api.Http.GetStringAsync("api/v1/services"))
            .Append(await onward.Api.Http.GetStringAsync("api/v1/services/web"))
            .Append(await onward.Api.Http.GetStringAsync($"api/v1/deployments/{deployment.Id}"))
            .Append(await onward.Api.Http.GetStringAsync("api/v1/deployments?service=web"))
            .Append(await onward.Api.Http.GetStringAsync("api/v1/audit?limit=200"))
            .Append(show.Output)
            .Append((await OnwardCli.RunAsync(null, "audit", "list", "--server", server)).Output)
            .ToString();
        ShouldHoldNoValue(everything, "the API and the CLI");
        (await onward.Api.GetAsync<AuditEntryResponse[]>("api/v1/audit?limit=200")).ShouldContain(e => e.Message.Contains("data.password changed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Self_heal_and_restore_put_back_the_values_that_were_applied_without_ever_keeping_them()
    {
        await using var team = await TeamCluster.StartAsync();
        await team.Repo.WriteAsync("deploy/k8s/app.yaml", App(team.Image, FromGit));
        await team.Repo.WriteAsync("deploy/k8s/crd.yaml", CredentialsCrd);
        var good = await team.Repo.CommitAsync("good");
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, team.Yaml(Deploy.Replace("manifests:", "selfHeal: true, manifests:", StringComparison.Ordinal), ("dev", "shop")));
        await team.ReleaseAsync(onward, good);
        var first = await onward.Api.FinishedDeploymentAsync("web", "dev", good);
        first.State.ShouldBe(DeploymentState.Succeeded, first.Reason + first.Diagnosis);

        await team.PatchAsync("/api/v1/namespaces/shop/secrets/web-db", "{\"data\":{\"password\":\"" + Base64(LiveOnly) + "\"}}");
        await Eventually.WaitAsync(async () => (await onward.Api.DeploymentAsync(first.Id)).Events.Any(e => e.Message.StartsWith("self-heal: ", StringComparison.Ordinal))
            && team.Cluster.Store.Get(Secrets, "shop", "web-db")!["data"]!["password"]!.GetValue<string>() == Base64(FromGit), "the secret's value to be put back");
        var healed = $"self-heal: applied {good[..7]} again (4 objects)";
        (await onward.Api.DeploymentAsync(first.Id)).Events.ShouldContain(e => e.Message == healed);

        // The next release changes the value and crashes, printing it as it starts: the diagnosis shows *** for it.
        await team.Repo.WriteAsync("deploy/k8s/app.yaml", App(team.Image, Rotated, env: ", { name: ONWARD_TEST_EXIT_CODE, value: \"3\" }"));
        var bad = await team.Repo.CommitAsync("rotates the password and crashes");
        await team.ReleaseAsync(onward, bad);
        var failed = await onward.Api.FinishedDeploymentAsync("web", "dev", bad);
        failed.State.ShouldBe(DeploymentState.Failed);
        failed.Diagnosis!.ShouldContain("ONWARD_TEST_PRINT_PASSWORD=***");
        var restored = await onward.Api.RestoredAsync(failed.Id);

        restored.Restore.ShouldBe("done", string.Join("\n", restored.Events.Select(e => e.Message)));
        var reapplied = $"re-applied {good[..7]}'s manifests (4 objects)";
        restored.Events.ShouldContain(e => e.Message.Contains(reapplied, StringComparison.Ordinal));
        var secret = team.Cluster.Store.Get(Secrets, "shop", "web-db")!;
        secret["data"]!["password"]!.GetValue<string>().ShouldBe(Base64(FromGit), "the restore rendered the good release again for the value it had");
        team.Cluster.Store.Find((t, n, o) => t.Kind == "Credentials" && n == "shop").Single().Item["spec"]!["password"]!.GetValue<string>()
            .ShouldBe(FromGit + "-in-a-custom-kind");
        var everything = await onward.Api.Http.GetStringAsync($"api/v1/deployments/{failed.Id}") + await onward.Api.Http.GetStringAsync("api/v1/audit?limit=200")
            + await onward.Api.Http.GetStringAsync($"api/v1/deployments/{failed.Id}/manifests");
        ShouldHoldNoValue(everything, "the failed deployment", Rotated + "-in-a-custom-kind");
    }

    /// <summary>
    /// A value no source can give back (a chart that makes a random password each time it renders): the restore leaves
    /// that Secret as the failed release left it, says so, and still verifies the rest.
    /// </summary>
    [Fact]
    public async Task A_secret_whose_value_cannot_be_given_back_is_left_out_of_the_restore_with_a_note()
    {
        await using var team = await TeamCluster.StartAsync();
        const string Render = """
            cat <<EOF
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: web }
            spec:
              replicas: 1
              selector: { matchLabels: { app: web } }
              template:
                metadata: { labels: { app: web } }
                spec:
                  containers:
                    - { name: app, image: "$ONWARD_IMAGE", env: [ $(cat deploy/env) ] }
            ---
            apiVersion: v1
            kind: Secret
            metadata: { name: web-db }
            stringData: { password: "random-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" }
            EOF

            """;
        await team.Repo.WriteAsync("deploy/render.sh", Render);
        await team.Repo.WriteAsync("deploy/env", "");
        var good = await team.Repo.CommitAsync("good");
        await using var onward = await OnwardHost.StartAsync(team.Dir.Path, team.Yaml("{ render: { command: \"sh deploy/render.sh\" } }", ("dev", "shop")));
        await team.ReleaseAsync(onward, good);
        var deployed = await onward.Api.FinishedDeploymentAsync("web", "dev", good);
        deployed.State.ShouldBe(DeploymentState.Succeeded);
        var first = team.Cluster.Store.Get(Secrets, "shop", "web-db")?["data"]?["password"]?.GetValue<string>();
        first.ShouldNotBeNull(await onward.Api.Http.GetStringAsync($"api/v1/deployments/{deployed.Id}/manifests") + team.Cluster.Store.Get(Secrets, "shop", "web-db")?.ToJsonString());

        await team.Repo.WriteAsync("deploy/env", "{ name: ONWARD_TEST_EXIT_CODE, value: \"3\" }");
        var bad = await team.Repo.CommitAsync("crashes");
        await team.ReleaseAsync(onward, bad);
        var failed = await onward.Api.FinishedDeploymentAsync("web", "dev", bad);
        failed.State.ShouldBe(DeploymentState.Failed);
        var restored = await onward.Api.RestoredAsync(failed.Id);

        restored.Restore.ShouldBe("done", string.Join("\n", restored.Events.Select(e => e.Message)));
        restored.Events.ShouldContain(e => e.Message.Contains("not applied Secret/web-db in shop: the cluster no longer holds its secret values (data.password) and rendering", StringComparison.Ordinal));
        team.Cluster.Store.Get(Secrets, "shop", "web-db")!["data"]!["password"]!.GetValue<string>().ShouldNotBe(first, "left as the failed release applied it");
        var everything = await onward.Api.Http.GetStringAsync($"api/v1/deployments/{failed.Id}") + await onward.Api.Http.GetStringAsync("api/v1/audit?limit=200");
        everything.ShouldNotContain("random-");
    }
}
