using System.Net;
using System.Text.Json;
using Onward.Contracts.Deployments;
using Onward.Contracts.Tokens;
using Onward.Contracts.Webhooks;

namespace Onward.Testing;

/// <summary>
/// Three <c>onward serve</c> replicas on one PostgreSQL database with local environments, under a stream of commits,
/// signed webhooks, production requests and approvals, while a random replica is killed with SIGKILL and started again
/// every few seconds. Afterwards the invariants are checked; every breach is named in <see cref="ChaosReport.Breaches"/>.
/// Used by the chaos test (about a minute) and by <c>bench chaos MINUTES</c>.
/// </summary>
public static class ChaosRun
{
    private const string Secret = "chaos";
    private static readonly DeploymentState[] Terminal = [DeploymentState.Succeeded, DeploymentState.Failed, DeploymentState.Blocked, DeploymentState.Rejected, DeploymentState.Superseded, DeploymentState.Cancelled];

    /// <param name="minKills">The load goes on past <paramref name="duration"/> until this many kills (a busy machine is slower), for at most 5 minutes more.</param>
    public static async Task<ChaosReport> RunAsync(TimeSpan duration, TimeSpan killEvery, Action<string> log, int minKills = 0)
    {
        await using var dir = new TempDirectory();
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var commits = new List<string> { await repo.CommitAsync("first") };
        var ports = new[] { Ports.Free(), Ports.Free(), Ports.Free() };
        var config = dir.Combine("onward.yaml");
        await File.WriteAllTextAsync(config, database.Use(TestConfig.Yaml(ports[0],
                [TestConfig.AutoEnvironment("dev"), "prod: { target: { local: {} }, policy: { requires: [dev], approval: { required: 1, approvers: [release-managers] } } }"],
                [SampleService.ServiceYaml("shop", repo.Path, poll: "2s", verifyTimeout: "60s")], "auth: { mode: tokens }\n" + TestConfig.Webhooks(Secret))));
        var root = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
        var rootToken = JsonDocument.Parse(root.Output).RootElement.GetProperty("token").GetString()
            ?? throw new InvalidOperationException("no admin token: " + root.Error);
        var replicas = new OnwardProcess?[3];
        async Task<OnwardProcess> StartAsync(int i) => replicas[i] = await OnwardProcess.StartAsync(
            config, new Uri($"http://127.0.0.1:{ports[i]}/"), dir.Combine($"replica-{i}.log"), "--listen", $"http://127.0.0.1:{ports[i]}");
        for (var i = 0; i < 3; i++)
        {
            await StartAsync(i);
        }
        var report = new ChaosReport();
        var random = new Random(4711);
        try
        {
            using var admin = new OnwardApi(replicas[0]!.Url, rootToken);
            var tokens = new Dictionary<string, string>();
            foreach (var name in new[] { "alice", "bob" })
            {
                var (_, _, created) = await admin.PostAsync<CreatedTokenResponse>("api/v1/tokens", new TokenRequestBody(name, "approver", ["release-managers"]));
                tokens[name] = created!.Token;
            }
            if ((await admin.FinishedDeploymentAsync("shop", "dev", commits[0])).State != DeploymentState.Succeeded)
            {
                throw new InvalidOperationException("the first release did not reach dev; see " + dir.Combine("replica-0.log"));
            }

            // Calls go to a live replica; one that dies mid-call is tried again on another.
            async Task<T?> OnAnyAsync<T>(string token, Func<OnwardApi, Task<T?>> call) where T : class
            {
                for (var attempt = 0; attempt < 20; attempt++)
                {
                    var live = replicas.Where(r => r is not null).ToList();
                    if (live.Count > 0)
                    {
                        using var api = new OnwardApi(live[random.Next(live.Count)]!.Url, token);
                        try
                        {
                            if (await call(api) is { } answer)
                            {
                                return answer;
                            }
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                        {
                        }
                    }
                    await Task.Delay(300);
                }
                return null;
            }

            var answered202 = new HashSet<string>();
            var approvedByAlice = new HashSet<long>();
            var until = DateTimeOffset.UtcNow + duration;
            var nextKill = DateTimeOffset.UtcNow + killEvery;
            var step = 0;
            var latest = until + TimeSpan.FromMinutes(5);
            while (DateTimeOffset.UtcNow < until || (report.Kills < minKills && DateTimeOffset.UtcNow < latest))
            {
                step++;
                var before = commits[^1];
                commits.Add(await repo.CommitAsync($"change {step}"));
                var delivery = $"chaos-{step}";
                var body = Payloads.GitHubPush(repo.Path, "refs/heads/main", before, commits[^1]);
                var status = await OnAnyAsync(rootToken, async api =>
                {
                    using var response = await new WebhookSender(api.Http, Secret).GitHubAsync("push", body, delivery: delivery);
                    return response.StatusCode.ToString();
                });
                report.Deliveries++;
                if (status == nameof(HttpStatusCode.Accepted))
                {
                    answered202.Add(delivery);
                }
                if (step % 3 == 0)
                {
                    var inDev = await OnAnyAsync(rootToken, async api => (await api.DeploymentsAsync("shop", "dev")).FirstOrDefault(d => d.State == DeploymentState.Succeeded));
                    var requested = inDev is null ? null : await OnAnyAsync(tokens["bob"], async api =>
                    {
                        var (code, _, deployment) = await api.RequestAsync("shop", "prod", inDev.Release.Version);
                        return code == HttpStatusCode.Accepted ? deployment : null;
                    });
                    if (requested is not null)
                    {
                        report.Requests++;
                        var decided = await OnAnyAsync(tokens["alice"], async api =>
                        {
                            var (code, _, _) = await api.DecideAsync(requested.Id, comment: "chaos");
                            return code is HttpStatusCode.OK or HttpStatusCode.Conflict ? code.ToString() : null;
                        });
                        if (decided is not null)
                        {
                            approvedByAlice.Add(requested.Id);
                        }
                    }
                }
                if (DateTimeOffset.UtcNow >= nextKill)
                {
                    var victim = random.Next(3);
                    var process = replicas[victim]!;
                    replicas[victim] = null;
                    await process.KillAsync();
                    await process.DisposeAsync();
                    report.Kills++;
                    log($"killed replica {victim} (kill {report.Kills})");
                    await StartAsync(victim);
                    nextKill = DateTimeOffset.UtcNow + killEvery;
                }
                await Task.Delay(500);
            }
            report.LastKillAt = DateTimeOffset.UtcNow;

            log("load over; waiting for every deployment to end");
            DeploymentResponse[] all = [];
            var settled = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(3);
            while (DateTimeOffset.UtcNow < settled)
            {
                all = await admin.DeploymentsAsync("shop", limit: 1000);
                var releases = await admin.ReleasesAsync("shop");
                if (all.All(d => Terminal.Contains(d.State)) && releases.All(r => r.State != "Building")
                    && all.Any(d => d.Environment == "dev" && d.Release.Commit == commits[^1] && d.State == DeploymentState.Succeeded))
                {
                    break;
                }
                await Task.Delay(1000);
            }
            report.Deployments = all.Length;

            foreach (var open in all.Where(d => !Terminal.Contains(d.State)))
            {
                report.Breaches.Add($"deployment {open.Id} ({open.Environment}, {open.Release.Version}) never ended: {open.State}");
            }
            var deliveries = await admin.GetAsync<DeliveryResponse[]>("api/v1/webhooks/deliveries?limit=1000");
            foreach (var id in answered202)
            {
                var recorded = deliveries.Count(d => d.DeliveryId == id);
                if (recorded != 1)
                {
                    report.Breaches.Add($"webhook {id} was answered 202 but is recorded {recorded} times");
                }
            }
            var index = commits.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
            foreach (var environment in new[] { "dev", "prod" })
            {
                var succeeded = new List<(DateTimeOffset At, string Commit, long Id)>();
                foreach (var d in all.Where(d => d.Environment == environment && d.State == DeploymentState.Succeeded))
                {
                    var full = await admin.DeploymentAsync(d.Id);
                    succeeded.Add((full.Events.First(e => e.State == DeploymentState.Succeeded).At, d.Release.Commit, d.Id));
                    var applied = full.Events.Count(e => e.Message.StartsWith("applying ", StringComparison.Ordinal));
                    if (applied > 1)
                    {
                        report.Breaches.Add($"deployment {d.Id} was applied {applied} times");
                    }
                    if (full.Approvals.GroupBy(a => a.By).FirstOrDefault(g => g.Count() > 1) is { } twice)
                    {
                        report.Breaches.Add($"deployment {d.Id} counts {twice.Key}'s approval {twice.Count()} times");
                    }
                }
                var order = succeeded.OrderBy(s => s.At).ToList();
                for (var i = 1; i < order.Count; i++)
                {
                    if (index[order[i].Commit] < index[order[i - 1].Commit])
                    {
                        report.Breaches.Add($"{environment} moved backwards: deployment {order[i].Id} ({order[i].Commit[..7]}) after {order[i - 1].Id} ({order[i - 1].Commit[..7]})");
                    }
                }
            }
            foreach (var id in approvedByAlice.Where(id => all.All(d => d.Id != id)))
            {
                report.Breaches.Add($"approved deployment {id} is missing");
            }
            var service = await admin.ServiceAsync("shop");
            foreach (var environment in service.Environments)
            {
                if (environment.Current is not { } current || environment.Url is not { } url)
                {
                    continue;
                }
                var expected = $"{current.Version} in {environment.Name}";
                string? answer = null;
                var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
                while (DateTimeOffset.UtcNow < deadline && answer != expected)
                {
                    try
                    {
                        answer = await OnwardApi.AnswerAsync(url + "/");
                    }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(500);
                    }
                }
                if (answer != expected)
                {
                    report.Breaches.Add($"the stable port of {environment.Name} answered '{answer}' instead of '{expected}' 30 s after the load");
                }
            }
            return report;
        }
        finally
        {
            foreach (var replica in replicas)
            {
                if (replica is not null)
                {
                    await replica.DisposeAsync();
                }
            }
        }
    }
}

/// <summary>What a chaos run did and which invariants broke.</summary>
public sealed class ChaosReport
{
    public int Kills { get; set; }

    public int Deliveries { get; set; }

    public int Requests { get; set; }

    public int Deployments { get; set; }

    public DateTimeOffset LastKillAt { get; set; }

    public List<string> Breaches { get; } = [];
}
