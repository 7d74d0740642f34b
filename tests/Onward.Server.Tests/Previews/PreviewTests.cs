using System.Net;
using System.Net.Http.Json;
using Onward.Contracts.Audit;
using Onward.Contracts.Deployments;
using Onward.Contracts.Previews;
using Onward.Contracts.Webhooks;
using Onward.Integrations.LocalProcesses;
using Onward.Testing;

namespace Onward.Server.Tests.Previews;

/// <summary>
/// Issue 28: a preview per pull request on the local target, from signed webhook events, reported on a local fake of
/// the git host (its comments, open pull requests and deployments), and destroyed when its pull request closes.
/// </summary>
public class PreviewTests
{
    private const string Secret = "a preview secret";

    private sealed class Setup : IAsyncDisposable
    {
        public required TempDirectory Dir { get; init; }

        public required GitRepository Repo { get; init; }

        public required HookReceiver HostApi { get; init; }

        public required FakePullRequestHost Host { get; init; }

        public required string Yaml { get; init; }

        public OnwardHost Onward { get; set; } = null!;

        public WebhookSender Hooks => new(Onward.Api.Http, Secret);

        /// <param name="host"><c>github</c> or <c>gitlab</c>.</param>
        /// <param name="previews">The service's <c>previews</c> beyond <c>from</c>.</param>
        public static async Task<Setup> StartAsync(string host, string previews = "")
        {
            var dir = new TempDirectory();
            var repo = await GitRepository.InitAsync(dir.Combine("shop"));
            await repo.BehaveAsync("ok");
            await repo.CommitAsync("initial");
            var api = await HookReceiver.StartAsync();
            var fake = new FakePullRequestHost(api, host, "the-token");
            var service = SampleService.ServiceYaml("shop", repo.Path) + $"""

                    previews: {"{"} from: dev-1, branches: '^feature/'{previews} {"}"}
                    report: {"{"} {host}: {"{"} token: the-token, apiUrl: "{api.Url("/api")}", repository: acme/shop {"}"}, backoff: 200ms {"}"}
                """;
            var yaml = TestConfig.Yaml(Ports.Free(), [TestConfig.AutoEnvironment("dev-1")], [service], TestConfig.Webhooks(Secret));
            var setup = new Setup { Dir = dir, Repo = repo, HostApi = api, Host = fake, Yaml = yaml };
            await setup.RestartAsync(stop: false);
            await setup.Onward.Api.FinishedDeploymentAsync("shop", "dev-1", await repo.HeadAsync());
            return setup;
        }

        public async Task RestartAsync(bool stop = true)
        {
            if (stop)
            {
                await Onward.DisposeAsync();
            }
            Onward = await OnwardHost.StartAsync(Dir.Path, Yaml);
        }

        /// <summary>A commit on <paramref name="branch"/> (made from main when it does not exist yet).</summary>
        public async Task<string> CommitOnAsync(string branch, string message)
        {
            var branches = await Repo.RunAsync("branch", "--list", branch);
            await Repo.RunAsync(branches.Trim().Length == 0 ? ["checkout", "-q", "-b", branch, "main"] : ["checkout", "-q", branch]);
            await Repo.WriteAsync("page", message);
            return await Repo.CommitAsync(message);
        }

        public Task<PreviewResponse[]> PreviewsAsync() => Onward.Api.GetAsync<PreviewResponse[]>("api/v1/previews");

        public Task<PreviewResponse> ReadyAsync(long number, string commit) =>
            Eventually.WaitAsync(async () => (await PreviewsAsync()).FirstOrDefault(p => p.Number == number && p.Commit == commit && p.State is "ready" or "failed"),
                $"the preview of #{number} at {commit[..7]}", TimeSpan.FromSeconds(60));

        public Task GoneAsync(long number, TimeSpan within) =>
            Eventually.WaitAsync(async () => (await PreviewsAsync()).All(p => p.Number != number), $"the preview of #{number} to be destroyed", within);

        /// <summary>The release processes running for <paramref name="environment"/>.</summary>
        public int Running(string environment)
        {
            var instances = Path.Combine(Dir.Path, ".onward", "instances");
            return !Directory.Exists(instances) ? 0 : Directory.EnumerateDirectories(instances).Count(d =>
                File.Exists(Path.Combine(d, LocalShutdown.WhereFile)) && File.ReadAllText(Path.Combine(d, LocalShutdown.WhereFile)) == $"shop {environment}"
                && new DetachedProcess(d).Status().State == ProcessState.Running);
        }

        public async ValueTask DisposeAsync()
        {
            await Onward.DisposeAsync();
            await HostApi.DisposeAsync();
            await Dir.DisposeAsync();
        }
    }

    private static async Task<WebhookAnswer> SentAsync(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<WebhookAnswer>(OnwardApi.Json))!;
    }

    [Fact]
    public async Task A_pull_request_gets_a_verified_preview_that_follows_its_pushes_survives_a_restart_and_is_gone_when_it_closes()
    {
        await using var setup = await Setup.StartAsync("github");
        var (repo, host) = (setup.Repo, setup.Host);
        var first = await setup.CommitOnAsync("feature/login", "login page");
        host.Open(42, "feature/login", first);
        // Someone copied the mark of Onward's comment into their own, before Onward wrote any: it is not Onward's.
        host.Say(42, Core.Previews.PreviewComment.Mark("the-token", "shop", 42) + "\nnot Onward's", "mallory");

        var answer = await SentAsync(setup.Hooks.GitHubAsync("pull_request", Payloads.GitHubPullRequest(repo.Path, "opened", 42, "feature/login", first)));

        answer.Action.ShouldBe("build");
        answer.Reason!.ShouldContain("shop: shop-pr-42 previews " + first[..7]);
        var preview = await setup.ReadyAsync(42, first);
        preview.State.ShouldBe("ready", preview.Reason);
        preview.Environment.ShouldBe("shop-pr-42");
        preview.Branch.ShouldBe("feature/login");
        preview.Link.ShouldBe("https://github.com/acme/shop/pull/42");
        preview.ExpiresAt.ShouldBe(preview.PushedAt + TimeSpan.FromHours(72));
        var url = preview.Url.ShouldNotBeNull();
        url.ShouldStartWith("http://127.0.0.1:");
        (await OnwardApi.AnswerAsync(url + "/")).ShouldBe($"{first[..7]} in shop-pr-42");
        var comment = await Eventually.WaitAsync(() => Task.FromResult(host.Comments.SingleOrDefault(c => c.Author == FakePullRequestHost.Bot && c.Bodies[^1].Contains("ready", StringComparison.Ordinal))),
            "the comment to say ready");
        comment.Number.ShouldBe(42);
        comment.Bodies[^1].ShouldContain(url);
        comment.Bodies[^1].ShouldContain(first[..7]);
        (await setup.Onward.Api.DeploymentsAsync("shop", "dev-1")).ShouldAllBe(d => d.Release.Commit != first, "a pull request's build goes to its preview only");
        var page = await setup.Onward.Api.Http.GetStringAsync("previews");
        page.ShouldContain("shop-pr-42");
        page.ShouldContain($"href=\"{url}\"");
        page.ShouldContain("href=\"https://github.com/acme/shop/pull/42\"");
        (await setup.Onward.Api.Http.GetStringAsync("services/shop")).ShouldContain("data-preview=\"shop-pr-42\"");

        // Three pushes: the same comment, edited; one process; the last commit answers.
        var head = first;
        for (var i = 1; i <= 3; i++)
        {
            head = await setup.CommitOnAsync("feature/login", $"login page, take {i + 1}");
            host.Open(42, "feature/login", head);
            await SentAsync(setup.Hooks.GitHubAsync("pull_request", Payloads.GitHubPullRequest(repo.Path, "synchronize", 42, "feature/login", head)));
        }
        (await setup.ReadyAsync(42, head)).State.ShouldBe("ready");
        (await OnwardApi.AnswerAsync(url + "/")).ShouldBe($"{head[..7]} in shop-pr-42", "the stable port stays the preview's URL");
        var edited = await Eventually.WaitAsync(() => Task.FromResult(host.Comments.Where(c => c.Author == FakePullRequestHost.Bot).ShouldHaveSingleItem("one comment per pull request, never one per push")
            is var only && only.Bodies[^1].Contains(head[..7], StringComparison.Ordinal) && only.Bodies[^1].Contains("ready", StringComparison.Ordinal) ? only : null),
            "the comment to name the last commit");
        edited.Bodies.Count.ShouldBeGreaterThan(3);
        // The release before the last is retired a moment after the switch.
        await Eventually.WaitAsync(() => Task.FromResult(setup.Running("shop-pr-42") == 1), "one preview process");
        var deployed = await Eventually.WaitAsync(() => Task.FromResult(host.Deployments.FirstOrDefault(d => d.Ref == head && d.Statuses.Any(s => s.State == "success"))),
            "the host's deployment of the last commit to succeed");
        deployed.Environment.ShouldBe("shop-pr-42");
        deployed.Transient.ShouldBeTrue();
        deployed.Statuses.Single(s => s.State == "success").Url.ShouldBe(url, "GitHub's View deployment opens the preview");

        // A restart loses no preview, and the preview keeps answering throughout.
        await setup.RestartAsync();
        (await setup.PreviewsAsync()).ShouldHaveSingleItem().State.ShouldBe("ready");
        (await OnwardApi.AnswerAsync(url + "/")).ShouldBe($"{head[..7]} in shop-pr-42");

        // Closed: everything gone within 10 s.
        host.Close(42);
        await SentAsync(setup.Hooks.GitHubAsync("pull_request", Payloads.GitHubPullRequest(repo.Path, "closed", 42, "feature/login", head, merged: true)));
        await setup.GoneAsync(42, TimeSpan.FromSeconds(10));
        setup.Running("shop-pr-42").ShouldBe(0);
        await Should.ThrowAsync<HttpRequestException>(() => OnwardApi.AnswerAsync(url + "/"));
        await Eventually.WaitAsync(() => Task.FromResult(host.Comments.Single(c => c.Author == FakePullRequestHost.Bot).Bodies[^1].Contains("destroyed", StringComparison.Ordinal)), "the comment to say destroyed");
        host.Comments.Single(c => c.Author == "mallory").Bodies.Count.ShouldBe(1, "someone else's comment is never edited");
        await Eventually.WaitAsync(() => Task.FromResult(host.Deployments.Single(d => d.Ref == head).Statuses[^1].State == "inactive"), "the host's deployment to be inactive");
        var audit = await setup.Onward.Api.GetAsync<AuditEntryResponse[]>("api/v1/audit?environment=shop-pr-42&limit=500");
        audit.Select(a => a.Action).ShouldContain("preview.created");
        audit.Select(a => a.Action).ShouldContain("preview.destroyed");
        audit.Count(a => a.Action == "deployment.succeeded").ShouldBeGreaterThanOrEqualTo(2, "its deployments stay in the trail");
        host.Refusals.ShouldBeEmpty();
    }

    [Fact]
    public async Task Lost_events_are_caught_by_a_look_at_the_open_pull_requests_and_a_preview_destroyed_by_hand_comes_back_with_a_push()
    {
        await using var setup = await Setup.StartAsync("github");
        // A branch's name is text from outside: it reaches pages and comments as text only.
        const string branch = "feature/\"<b>search</b>";
        var head = await setup.CommitOnAsync(branch, "search");
        setup.Host.Open(7, branch, head);
        // No event at all: the look at the host's open pull requests finds it.
        (await setup.ReadyAsync(7, head)).State.ShouldBe("ready");
        var server = setup.Onward.Config.Server.Listen.ToString();
        var listed = await OnwardCli.RunAsync(null, "previews", "list", "--server", server);
        listed.ExitCode.ShouldBe(0, listed.Error);
        listed.Output.ShouldContain("shop-pr-7");
        listed.Output.ShouldContain(branch);
        var page = await setup.Onward.Api.Http.GetStringAsync("previews");
        page.ShouldNotContain("<b>search</b>");
        page.ShouldContain("&lt;b&gt;search&lt;/b&gt;");
        listed.Output.ShouldContain("ready");

        // Destroyed by hand, it comes back only with the next push, though its pull request stays open.
        var destroyed = await OnwardCli.RunAsync(null, "previews", "destroy", "shop", "7", "--server", server);
        destroyed.ExitCode.ShouldBe(0, destroyed.Error);
        destroyed.Output.ShouldContain("shop-pr-7 is being destroyed");
        await setup.GoneAsync(7, TimeSpan.FromSeconds(10));
        await Task.Delay(1000);
        (await setup.PreviewsAsync()).ShouldBeEmpty("the host still lists the same head: not a push");
        var again = await OnwardCli.RunAsync(null, "previews", "destroy", "shop", "7", "--server", server);
        again.ExitCode.ShouldNotBe(0);
        again.Error.ShouldContain("shop-pr-7 is not live");
        var pushed = await setup.CommitOnAsync(branch, "search, again");
        setup.Host.Open(7, branch, pushed);
        (await setup.ReadyAsync(7, pushed)).State.ShouldBe("ready");

        setup.Host.Close(7);

        await setup.GoneAsync(7, TimeSpan.FromSeconds(10));
        setup.Running("shop-pr-7").ShouldBe(0);
    }

    [Fact]
    public async Task Gitlab_merge_requests_get_previews_on_the_configured_ports_and_more_than_max_wait_their_turn()
    {
        var port = Ports.Free();
        await using var setup = await Setup.StartAsync("gitlab", $", max: 1, ports: {port}-{port}");
        var (repo, host) = (setup.Repo, setup.Host);
        var first = await setup.CommitOnAsync("feature/cart", "cart");
        host.Open(3, "feature/cart", first);
        await SentAsync(setup.Hooks.GitLabAsync("Merge Request Hook", Payloads.GitLabMergeRequest(repo.Path, "open", 3, "feature/cart", first)));
        var cart = await setup.ReadyAsync(3, first);
        cart.State.ShouldBe("ready", cart.Reason);
        cart.Url.ShouldBe($"http://127.0.0.1:{port}");
        (await OnwardApi.AnswerAsync(cart.Url + "/")).ShouldBe($"{first[..7]} in shop-pr-3");

        // A branch previews.branches leaves out gets none; a second preview waits for the first's place.
        var hotfix = await setup.CommitOnAsync("hotfix/typo", "typo");
        var ignored = await SentAsync(setup.Hooks.GitLabAsync("Merge Request Hook", Payloads.GitLabMergeRequest(repo.Path, "open", 5, "hotfix/typo", hotfix)));
        ignored.Action.ShouldBe("ignore");
        ignored.Reason!.ShouldContain("branch 'hotfix/typo' does not match previews.branches ^feature/");
        var search = await setup.CommitOnAsync("feature/search", "search");
        host.Open(4, "feature/search", search);
        var waiting = await SentAsync(setup.Hooks.GitLabAsync("Merge Request Hook", Payloads.GitLabMergeRequest(repo.Path, "open", 4, "feature/search", search)));
        waiting.Reason!.ShouldContain("shop-pr-4 waits, 1 previews of shop run already (previews.max)");
        (await setup.PreviewsAsync()).Single(p => p.Number == 4).State.ShouldBe("waiting");
        await Eventually.WaitAsync(() => Task.FromResult(host.Comments.Any(c => c.Number == 4 && c.Bodies[^1].Contains("waiting", StringComparison.Ordinal))),
            "the merge request to say it waits");

        // A push to the first: its one note is edited.
        var second = await setup.CommitOnAsync("feature/cart", "cart, again");
        host.Open(3, "feature/cart", second);
        await SentAsync(setup.Hooks.GitLabAsync("Merge Request Hook", Payloads.GitLabMergeRequest(repo.Path, "update", 3, "feature/cart", second)));
        (await setup.ReadyAsync(3, second)).Url.ShouldBe($"http://127.0.0.1:{port}");
        await Eventually.WaitAsync(() => Task.FromResult(host.Comments.Single(c => c.Number == 3).Bodies[^1].Contains(second[..7], StringComparison.Ordinal)), "the note to name the push");

        // Merged: the first goes, the waiting one takes its place and its port.
        host.Close(3);
        await SentAsync(setup.Hooks.GitLabAsync("Merge Request Hook", Payloads.GitLabMergeRequest(repo.Path, "merge", 3, "feature/cart", second)));
        await setup.GoneAsync(3, TimeSpan.FromSeconds(10));
        var next = await setup.ReadyAsync(4, search);
        next.State.ShouldBe("ready", next.Reason);
        next.Url.ShouldBe($"http://127.0.0.1:{port}");
        (await OnwardApi.AnswerAsync(next.Url + "/")).ShouldBe($"{search[..7]} in shop-pr-4");
        host.Comments.Count(c => c.Number == 3).ShouldBe(1);
        host.Comments.Single(c => c.Number == 3).Bodies[^1].ShouldContain("destroyed");
        await Eventually.WaitAsync(() => Task.FromResult(host.Stopped.Contains("shop-pr-3")), "GitLab's environment of the merged request to be stopped");
        host.Refusals.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_pull_request_closed_while_its_preview_verifies_is_destroyed_once_that_deployment_ended_leaving_nothing_running()
    {
        await using var setup = await Setup.StartAsync("github");
        var (repo, host) = (setup.Repo, setup.Host);
        await repo.RunAsync("checkout", "-q", "-b", "feature/slow", "main");
        await repo.BehaveAsync("slow:4000");
        var head = await repo.CommitAsync("slow to start");
        host.Open(11, "feature/slow", head);
        await SentAsync(setup.Hooks.GitHubAsync("pull_request", Payloads.GitHubPullRequest(repo.Path, "opened", 11, "feature/slow", head)));
        var verifying = await Eventually.WaitAsync(async () => (await setup.Onward.Api.DeploymentsAsync("shop", "shop-pr-11")).FirstOrDefault(d => d.State == DeploymentState.Verifying),
            "the preview's deployment to verify", TimeSpan.FromSeconds(60));

        host.Close(11);
        await SentAsync(setup.Hooks.GitHubAsync("pull_request", Payloads.GitHubPullRequest(repo.Path, "closed", 11, "feature/slow", head)));
        (await setup.PreviewsAsync()).ShouldHaveSingleItem().State.ShouldBe("destroying");

        await setup.GoneAsync(11, TimeSpan.FromSeconds(30));
        (await setup.Onward.Api.DeploymentAsync(verifying.Id)).State.ShouldBeOneOf(DeploymentState.Succeeded, DeploymentState.Failed, DeploymentState.Cancelled);
        await Task.Delay(1000);
        setup.Running("shop-pr-11").ShouldBe(0, "nothing was started after the destroy");
        var (status, problem, _) = await setup.Onward.Api.RequestAsync("shop", "shop-pr-11", head[..7]);
        status.ShouldBe(HttpStatusCode.NotFound, problem?.Detail);
    }

    [Fact]
    public async Task A_gitea_pull_request_gets_a_preview_and_one_comment()
    {
        await using var setup = await Setup.StartAsync("gitea");
        var head = await setup.CommitOnAsync("feature/wiki", "wiki");
        setup.Host.Open(5, "feature/wiki", head);
        await SentAsync(setup.Hooks.GiteaAsync("pull_request", Payloads.GitHubPullRequest(setup.Repo.Path, "opened", 5, "feature/wiki", head)));
        (await setup.ReadyAsync(5, head)).State.ShouldBe("ready");
        var next = await setup.CommitOnAsync("feature/wiki", "wiki, again");
        setup.Host.Open(5, "feature/wiki", next);
        await SentAsync(setup.Hooks.GiteaAsync("pull_request", Payloads.GitHubPullRequest(setup.Repo.Path, "synchronized", 5, "feature/wiki", next)));
        (await setup.ReadyAsync(5, next)).State.ShouldBe("ready");

        setup.Host.Close(5);
        await SentAsync(setup.Hooks.GiteaAsync("pull_request", Payloads.GitHubPullRequest(setup.Repo.Path, "closed", 5, "feature/wiki", next)));

        await setup.GoneAsync(5, TimeSpan.FromSeconds(10));
        await Eventually.WaitAsync(() => Task.FromResult(setup.Host.Comments.ShouldHaveSingleItem().Bodies[^1].Contains("destroyed", StringComparison.Ordinal)), "the one comment to say destroyed");
        var version = next[..7];
        setup.Host.Comments.Single().Bodies.ShouldContain(b => b.Contains(version, StringComparison.Ordinal) && b.Contains("ready", StringComparison.Ordinal));
        setup.Host.Refusals.ShouldBeEmpty();
    }
}
