using Onward.Contracts.Deployments;
using System.Net;
using System.Net.Http.Json;
using Onward.Contracts.Webhooks;
using Onward.Testing;

namespace Onward.Server.Tests.Webhooks;

public class WebhookTests
{
    private const string Secret = "It's a Secret to Everybody";
    private const string Zero = "0000000000000000000000000000000000000000";

    private static async Task<(TempDirectory Dir, GitRepository Repo, OnwardHost Onward)> StartAsync(string poll = "1h")
    {
        var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        await repo.CommitAsync("initial");
        var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [TestConfig.AutoEnvironment("dev-1")], [SampleService.ServiceYaml("shop", repo.Path, poll: poll)], TestConfig.Webhooks(Secret)));
        // The first poll at start-up reads the repository; webhooks then bring what comes after.
        await onward.Api.BuiltReleaseAsync("shop", await repo.HeadAsync());
        return (dir, repo, onward);
    }

    private static async Task<DeliveryResponse[]> DeliveriesAsync(OnwardHost onward) =>
        await onward.Api.GetAsync<DeliveryResponse[]>("api/v1/webhooks/deliveries?limit=1000");

    private static async Task<DeliveryResponse> ProcessedAsync(OnwardHost onward, long id) =>
        await Eventually.WaitAsync(async () => (await DeliveriesAsync(onward)).FirstOrDefault(d => d.Id == id && (d.ReleaseId is not null || d.Action == "ignore")),
            $"delivery {id} to be processed");

    [Fact]
    public async Task A_signed_github_push_to_main_is_answered_at_once_then_built_and_deployed()
    {
        var (dir, repo, onward) = await StartAsync();
        await using var _ = dir;
        await using var __ = onward;
        var before = await repo.HeadAsync();
        var commit = await repo.CommitAsync("via webhook");
        var sender = new WebhookSender(onward.Api.Http, Secret);

        var response = await sender.GitHubAsync("push", Payloads.GitHubPush(repo.Path, "refs/heads/main", before, commit), delivery: "d-1");

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var answer = (await response.Content.ReadFromJsonAsync<WebhookAnswer>(OnwardApi.Json))!;
        answer.Action.ShouldBe("build");
        answer.Reason!.ShouldContain($"shop: head of main branch 'main' builds {commit[..7]}");
        var delivery = await ProcessedAsync(onward, answer.Id!.Value);
        delivery.Provider.ShouldBe("github");
        delivery.Event.ShouldBe("push");
        delivery.DeliveryId.ShouldBe("d-1");
        delivery.Ref.ShouldBe("refs/heads/main");
        delivery.RefKind.ShouldBe("branch");
        delivery.Name.ShouldBe("main");
        delivery.Commit.ShouldBe(commit);
        delivery.Forced.ShouldBe(false);
        delivery.Action.ShouldBe("build");
        delivery.ReleaseId.ShouldNotBeNull();
        (await onward.Api.FinishedDeploymentAsync("shop", "dev-1", commit)).State.ShouldBe(DeploymentState.Succeeded);

        (await onward.Api.GetAsync<DeliveryResponse[]>("api/v1/webhooks/deliveries?provider=github&action=build")).ShouldContain(d => d.Id == delivery.Id);
        (await onward.Api.GetAsync<DeliveryResponse[]>("api/v1/webhooks/deliveries?provider=gitlab")).ShouldBeEmpty();
        (await onward.Api.GetAsync<DeliveryResponse[]>("api/v1/webhooks/deliveries?action=ignore")).ShouldNotContain(d => d.Id == delivery.Id);
        var unknown = await onward.Api.Http.GetAsync("api/v1/webhooks/deliveries?provider=svn");
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadAsStringAsync()).ShouldContain("unknown provider 'svn'; use one of github, gitlab, gitea, bitbucket");
    }

    [Fact]
    public async Task Unsigned_and_wrongly_signed_webhooks_of_every_provider_are_refused_and_not_recorded()
    {
        var (dir, repo, onward) = await StartAsync();
        await using var _ = dir;
        await using var __ = onward;
        var head = await repo.HeadAsync();
        var sender = new WebhookSender(onward.Api.Http, Secret);
        var wrong = new WebhookSender(onward.Api.Http, "not the secret");
        var github = Payloads.GitHubPush(repo.Path, "refs/heads/main", Zero, head);
        var gitlab = Payloads.GitLabPush(repo.Path, "refs/heads/main", Zero, head, head);
        var gitea = Payloads.GiteaPush(repo.Path, "refs/heads/main", Zero, head);
        var bitbucket = Payloads.BitbucketCloudPush(repo.Path, ("branch", "main", head, false));

        var answers = new[]
        {
            await sender.GitHubAsync("push", github, signature: ""),
            await wrong.GitHubAsync("push", github),
            await sender.GitHubAsync("push", github, signature: "sha1=" + WebhookSender.Hmac(Secret, github)),
            await sender.GitHubAsync("push", github + " ", signature: "sha256=" + WebhookSender.Hmac(Secret, github)),
            await sender.GitLabAsync("Push Hook", gitlab, token: ""),
            await wrong.GitLabAsync("Push Hook", gitlab),
            await sender.GiteaAsync("push", gitea, signature: ""),
            await wrong.GiteaAsync("push", gitea),
            await sender.BitbucketAsync("repo:push", bitbucket, signature: ""),
            await wrong.BitbucketAsync("repo:push", bitbucket),
        };

        answers.Select(a => a.StatusCode).ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        (await answers[0].Content.ReadAsStringAsync()).ShouldContain("missing or wrong X-Hub-Signature-256");
        (await DeliveriesAsync(onward)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_redelivery_does_nothing_twice_and_a_burst_of_concurrent_deliveries_loses_nothing()
    {
        var (dir, repo, onward) = await StartAsync();
        await using var _ = dir;
        await using var __ = onward;
        var before = await repo.HeadAsync();
        var commit = await repo.CommitAsync();
        var sender = new WebhookSender(onward.Api.Http, Secret);
        var body = Payloads.GitHubPush(repo.Path, "refs/heads/main", before, commit);

        var first = await sender.GitHubAsync("push", body, delivery: "same");
        var again = await sender.GitHubAsync("push", body, delivery: "same");
        first.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await again.Content.ReadFromJsonAsync<WebhookAnswer>(OnwardApi.Json))!.Duplicate.ShouldBeTrue();

        var burst = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => sender.GitHubAsync("push", body, delivery: $"burst-{i % 30}")));

        burst.Count(r => r.StatusCode == HttpStatusCode.Accepted).ShouldBe(30);
        burst.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(30);
        var deliveries = await DeliveriesAsync(onward);
        deliveries.Length.ShouldBe(31);
        deliveries.Select(d => d.DeliveryId).Distinct().Count().ShouldBe(31);
        await Eventually.WaitAsync(async () => (await DeliveriesAsync(onward)).All(d => d.ReleaseId is not null), "every delivery to be processed");
        (await onward.Api.ReleasesAsync("shop")).Count(r => r.Commit == commit).ShouldBe(1);
        (await DeliveriesAsync(onward)).Select(d => d.ReleaseId).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task An_annotated_tag_pushed_to_gitlab_becomes_a_release_candidate_of_its_commit()
    {
        var (dir, repo, onward) = await StartAsync();
        await using var _ = dir;
        await using var __ = onward;
        var commit = await repo.CommitAsync("release");
        await repo.TagAsync("1.4.0", annotated: true);
        var tagObject = (await repo.RunAsync("rev-parse", "refs/tags/1.4.0")).Trim();
        tagObject.ShouldNotBe(commit);
        var sender = new WebhookSender(onward.Api.Http, Secret);

        var response = await sender.GitLabAsync("Tag Push Hook", Payloads.GitLabPush(repo.Path, "refs/tags/1.4.0", Zero, tagObject, commit, tag: true));

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var answer = (await response.Content.ReadFromJsonAsync<WebhookAnswer>(OnwardApi.Json))!;
        var delivery = await ProcessedAsync(onward, answer.Id!.Value);
        delivery.RefKind.ShouldBe("tag");
        delivery.Name.ShouldBe("1.4.0");
        delivery.Commit.ShouldBe(commit);
        delivery.Forced.ShouldBeNull();
        var release = (await onward.Api.ReleasesAsync("shop")).Single(r => r.Version == "1.4.0");
        release.Commit.ShouldBe(commit);
        release.RefKind.ShouldBe("tag");
        release.ReleaseCandidate.ShouldBeTrue();
    }

    [Fact]
    public async Task Gitea_is_told_apart_by_its_route_and_an_annotated_tag_is_resolved_with_git()
    {
        var (dir, repo, onward) = await StartAsync();
        await using var _ = dir;
        await using var __ = onward;
        var commit = await repo.CommitAsync();
        await repo.TagAsync("2.0", annotated: true);
        var tagObject = (await repo.RunAsync("rev-parse", "refs/tags/2.0")).Trim();
        var sender = new WebhookSender(onward.Api.Http, Secret);

        var response = await sender.GiteaAsync("push", Payloads.GiteaPush(repo.Path, "refs/tags/2.0", Zero, tagObject));

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var delivery = await ProcessedAsync(onward, (await response.Content.ReadFromJsonAsync<WebhookAnswer>(OnwardApi.Json))!.Id!.Value);
        delivery.Provider.ShouldBe("gitea");
        delivery.Commit.ShouldBe(commit, "the tag object was peeled to its commit in the mirror");
        var release = (await onward.Api.ReleasesAsync("shop")).Single(r => r.Version == "2.0");
        release.Commit.ShouldBe(commit);
        release.ReleaseCandidate.ShouldBeFalse("a two-part version is a version release, not a candidate");
    }

    [Fact]
    public async Task Bitbucket_cloud_and_data_center_pushes_with_several_refs_build_each()
    {
        var (dir, repo, onward) = await StartAsync();
        await using var _ = dir;
        await using var __ = onward;
        var commit = await repo.CommitAsync();
        await repo.TagAsync("3.1.0");
        var sender = new WebhookSender(onward.Api.Http, Secret);

        var cloud = await sender.BitbucketAsync("repo:push", Payloads.BitbucketCloudPush(repo.Path, ("branch", "main", commit, true), ("tag", "3.1.0", commit, false)));
        cloud.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var delivery = await ProcessedAsync(onward, (await cloud.Content.ReadFromJsonAsync<WebhookAnswer>(OnwardApi.Json))!.Id!.Value);
        delivery.Forced.ShouldBe(true);
        var versions = (await onward.Api.ReleasesAsync("shop")).Where(r => r.Commit == commit).Select(r => r.Version).ToList();
        versions.ShouldBe([commit[..7], "3.1.0"], ignoreOrder: true);

        var next = await repo.CommitAsync();
        var dc = await sender.BitbucketAsync("repo:refs_changed", Payloads.BitbucketDataCenterPush(repo.Path, ("refs/heads/main", next, "UPDATE")));
        dc.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await ProcessedAsync(onward, (await dc.Content.ReadFromJsonAsync<WebhookAnswer>(OnwardApi.Json))!.Id!.Value);
        (await onward.Api.ReleasesAsync("shop")).ShouldContain(r => r.Commit == next);
    }

    [Fact]
    public async Task Pushes_that_do_not_build_are_recorded_with_the_reason()
    {
        var (dir, repo, onward) = await StartAsync();
        await using var _ = dir;
        await using var __ = onward;
        var head = await repo.HeadAsync();
        var sender = new WebhookSender(onward.Api.Http, Secret);

        var feature = await Send(sender.GitHubAsync("push", Payloads.GitHubPush(repo.Path, "refs/heads/feature/login", Zero, head)));
        var deletion = await Send(sender.GitHubAsync("push", Payloads.GitHubPush(repo.Path, "refs/heads/main", head, Zero)));
        var ping = await Send(sender.GitHubAsync("ping", """{"zen":"Keep it logically awesome.","hook_id":1}"""));
        var create = await Send(sender.GitHubAsync("create", """{"ref":"1.0","ref_type":"tag"}"""));
        var otherRepo = await Send(sender.GitHubAsync("push", Payloads.GitHubPush("https://github.com/acme/unrelated.git", "refs/heads/main", Zero, head)
            .Replace("acme/shop", "acme/unrelated", StringComparison.Ordinal)));
        var unknown = await Send(sender.GitHubAsync("issues", """{"action":"opened"}"""));
        var malformed = await Send(sender.GitHubAsync("push", """{"ref": "refs/heads/main", "after": """));
        var shapeless = await Send(sender.GitHubAsync("push", """{"after": "abc"}"""));

        feature.Status.ShouldBe(HttpStatusCode.Accepted);
        feature.Body.ShouldContain("branch 'feature/login' is neither a main branch (main, master) nor a version");
        deletion.Status.ShouldBe(HttpStatusCode.Accepted);
        deletion.Body.ShouldContain("branch 'main' was deleted; deletions are ignored");
        ping.Status.ShouldBe(HttpStatusCode.Accepted);
        create.Status.ShouldBe(HttpStatusCode.Accepted);
        create.Body.ShouldContain("'create' events are ignored");
        otherRepo.Body.ShouldContain("no service uses the repository https://github.com/acme/unrelated.git");
        unknown.Status.ShouldBe(HttpStatusCode.BadRequest);
        unknown.Body.ShouldContain("GitHub event 'issues' is not handled");
        malformed.Status.ShouldBe(HttpStatusCode.BadRequest);
        malformed.Body.ShouldContain("malformed payload");
        shapeless.Status.ShouldBe(HttpStatusCode.BadRequest);
        shapeless.Body.ShouldContain("malformed payload: `ref` is missing; it must be a string");
        var deliveries = await DeliveriesAsync(onward);
        deliveries.Length.ShouldBe(8);
        deliveries.ShouldAllBe(d => d.Action == "ignore");
        (await onward.Api.ReleasesAsync("shop")).Length.ShouldBe(1);
    }

    [Fact]
    public async Task An_oversized_payload_is_refused_without_a_record_and_unconfigured_providers_say_how_to_set_them_up()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.CommitAsync();
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [TestConfig.AutoEnvironment("dev-1")], [SampleService.ServiceYaml("shop", repo.Path)], "webhooks: { github: { secret: s3cret } }"));
        var sender = new WebhookSender(onward.Api.Http, "s3cret");

        // The refusal comes before the body is read; a client that asks first (Expect: 100-continue) hears it before sending.
        using var hugeRequest = new HttpRequestMessage(HttpMethod.Post, "hooks/github")
        {
            Content = new StringContent("{\"padding\":\"" + new string('x', 6 * 1024 * 1024) + "\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        hugeRequest.Headers.ExpectContinue = true;
        hugeRequest.Headers.Add("X-GitHub-Event", "push");
        hugeRequest.Content.Headers.ContentLength = 6 * 1024 * 1024 + 14;
        using var huge = await onward.Api.Http.SendAsync(hugeRequest);
        var gitlab = await sender.GitLabAsync("Push Hook", "{}");

        huge.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await huge.Content.ReadAsStringAsync()).ShouldContain("the payload is larger than 5 MiB; it was not read, checked or recorded");
        (await DeliveriesAsync(onward)).ShouldBeEmpty();
        gitlab.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await gitlab.Content.ReadAsStringAsync()).ShouldContain("webhooks from gitlab are not set up");
    }

    /// <summary>Regression for issue 10.1: an unsigned request with a huge declared length claimed a delivery id in advance.</summary>
    [Fact]
    public async Task An_unsigned_request_declaring_a_huge_body_claims_no_delivery_id_and_the_genuine_push_with_that_id_builds()
    {
        var (dir, repo, onward) = await StartAsync();
        await using var _ = dir;
        await using var __ = onward;
        var before = await repo.HeadAsync();
        var commit = await repo.CommitAsync("the genuine push");

        var claims = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            var (status, _, body) = await RawHttp.SendAsync(onward.Api.Http.BaseAddress!, $"""
                POST /hooks/github HTTP/1.1
                Host: 127.0.0.1
                X-GitHub-Event: push
                X-GitHub-Delivery: claimed-{i}
                Content-Type: application/json
                Content-Length: 99999999
                """, closeAfterBody: false);
            body.ShouldContain("not read, checked or recorded");
            claims.Add(status);
        }
        var chunked = await RawHttp.SendAsync(onward.Api.Http.BaseAddress!, """
            POST /hooks/github HTTP/1.1
            Host: 127.0.0.1
            X-GitHub-Event: push
            X-GitHub-Delivery: claimed-chunked
            Content-Type: application/json
            Transfer-Encoding: chunked
            """, ChunkedBody(6 * 1024 * 1024));
        var unsigned = await new WebhookSender(onward.Api.Http, Secret).GitHubAsync("push", "{}", delivery: "claimed-0", signature: "");

        claims.ShouldAllBe(s => s == 413);
        chunked.Status.ShouldBe(413, "the limit holds on the bytes read, whatever the headers declare");
        unsigned.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await DeliveriesAsync(onward)).ShouldBeEmpty();
        var refused = await onward.Api.GetAsync<RefusedWebhookResponse[]>("api/v1/webhooks/refused");
        refused.Single(r => r.Reason == "payload too large").Count.ShouldBe(21);
        refused.Single(r => r.Reason == "missing or wrong X-Hub-Signature-256").Count.ShouldBe(1);

        var genuine = await new WebhookSender(onward.Api.Http, Secret).GitHubAsync("push", Payloads.GitHubPush(repo.Path, "refs/heads/main", before, commit), delivery: "claimed-0");

        genuine.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await genuine.Content.ReadFromJsonAsync<WebhookAnswer>(OnwardApi.Json))!.Duplicate.ShouldBeFalse();
        (await onward.Api.BuiltReleaseAsync("shop", commit)).State.ShouldBe("Built");
    }

    /// <summary>Regression for issue 10.5: signed pushes of the wrong shape were accepted, one of them with an option for a commit.</summary>
    [Fact]
    public async Task Signed_payloads_of_the_wrong_shape_are_refused_naming_the_field_and_nothing_but_a_full_commit_id_builds()
    {
        var (dir, repo, onward) = await StartAsync();
        await using var _ = dir;
        await using var __ = onward;
        var head = await repo.HeadAsync();
        var sender = new WebhookSender(onward.Api.Http, Secret);
        var good = Payloads.GitHubPush(repo.Path, "refs/heads/main", Zero, head);

        var cases = new (string Name, Task<HttpResponseMessage> Sending, string Expected)[]
        {
            ("repository as a string", sender.GitHubAsync("push", Mutate(good, o => o["repository"] = "acme/shop")), "`repository` must be an object, not a string"),
            ("after as an option", sender.GitHubAsync("push", Mutate(good, o => o["after"] = "--upload-pack=touch /tmp/pwned")),
                "`after` must be a full commit id (40 or 64 hexadecimal digits), not '--upload-pack=touch /tmp/pwned'"),
            ("short after", sender.GitHubAsync("push", Mutate(good, o => o["after"] = head[..7])), "`after` must be a full commit id"),
            ("head commit id", sender.GitHubAsync("push", Mutate(good, o => o["head_commit"] = new System.Text.Json.Nodes.JsonObject { ["id"] = "HEAD~1" })),
                "`head_commit.id` must be a full commit id"),
            ("ref with dots", sender.GitHubAsync("push", Mutate(good, o => o["ref"] = "refs/heads/../../etc")), "`ref` is not a valid git ref name"),
            ("ref as a number", sender.GitHubAsync("push", Mutate(good, o => o["ref"] = 5)), "`ref` must be a string, not a number"),
            ("payload as a list", sender.GitHubAsync("push", "[1,2]"), "`(the payload)` must be a JSON object, not a list"),
            ("gitlab project as a list", sender.GitLabAsync("Push Hook", Mutate(Payloads.GitLabPush(repo.Path, "refs/heads/main", Zero, head, head),
                o => o["project"] = new System.Text.Json.Nodes.JsonArray())), "`project` must be an object, not a list"),
            ("gitea clone url as a number", sender.GiteaAsync("push", Mutate(Payloads.GiteaPush(repo.Path, "refs/heads/main", Zero, head),
                o => o["repository"]!["clone_url"] = 7)), "`repository.clone_url` must be a string, not a number"),
            ("bitbucket hash", sender.BitbucketAsync("repo:push", Payloads.BitbucketCloudPush(repo.Path, ("branch", "main", "--exec=x", false))),
                "`push.changes[0].new.target.hash` must be a full commit id"),
            ("bitbucket data center hash", sender.BitbucketAsync("repo:refs_changed", Payloads.BitbucketDataCenterPush(repo.Path, ("refs/heads/main", "zzz", "UPDATE"))),
                "`changes[0].toHash` must be a full commit id"),
        };

        foreach (var (name, sending, expected) in cases)
        {
            var (status, body) = await Send(sending);
            status.ShouldBe(HttpStatusCode.BadRequest, name);
            body.ShouldContain("malformed payload: " + expected, Case.Sensitive, name);
        }
        var deliveries = await DeliveriesAsync(onward);
        deliveries.Length.ShouldBe(cases.Length, "signed deliveries are recorded, with the reason they were refused");
        deliveries.ShouldAllBe(d => d.Action == "ignore" && d.Commit == null);
        (await onward.Api.ReleasesAsync("shop")).Length.ShouldBe(1);
    }

    /// <summary>Issue 11.9: older GitHub payloads name the repository only by web URL, name and owner, and may come as a form.</summary>
    [Fact]
    public async Task An_older_github_payload_sent_as_a_form_finds_its_service_by_owner_and_name_and_builds()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("acme", "shop"));
        await repo.BehaveAsync("ok");
        var before = await repo.CommitAsync("initial");
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [TestConfig.AutoEnvironment("dev-1")], [SampleService.ServiceYaml("shop", repo.Path, poll: "1h")], TestConfig.Webhooks(Secret)));
        await onward.Api.BuiltReleaseAsync("shop", before);
        var commit = await repo.CommitAsync("via an old webhook");
        var sender = new WebhookSender(onward.Api.Http, Secret);

        var response = await sender.GitHubAsync("push", Payloads.GitHubLegacyPush("acme", "shop", "refs/heads/main", before, commit), form: true);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var answer = (await response.Content.ReadFromJsonAsync<WebhookAnswer>(OnwardApi.Json))!;
        answer.Action.ShouldBe("build");
        (await ProcessedAsync(onward, answer.Id!.Value)).Repository.ShouldBe("https://github.com/acme/shop");
        (await onward.Api.BuiltReleaseAsync("shop", commit)).State.ShouldBe("Built");
        var tampered = await sender.GitHubAsync("push", Payloads.GitHubLegacyPush("acme", "shop", "refs/heads/main", before, commit), form: true,
            signature: "sha256=" + WebhookSender.Hmac(Secret, Payloads.GitHubLegacyPush("acme", "shop", "refs/heads/main", before, commit)));
        tampered.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the signature is over the form as sent, not over the JSON inside it");
    }

    private static async Task<(HttpStatusCode Status, string Body)> Send(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Mutate(string json, Action<System.Text.Json.Nodes.JsonObject> change)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        change(node);
        return node.ToJsonString();
    }

    private static byte[] ChunkedBody(int size)
    {
        var chunk = new string('x', 64 * 1024);
        var text = new System.Text.StringBuilder();
        for (var sent = 0; sent < size; sent += chunk.Length)
        {
            text.Append($"{chunk.Length:x}\r\n").Append(chunk).Append("\r\n");
        }
        return System.Text.Encoding.ASCII.GetBytes(text.Append("0\r\n\r\n").ToString());
    }
}
