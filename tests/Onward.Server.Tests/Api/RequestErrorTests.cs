using System.Net;
using System.Net.Http.Json;
using Onward.Contracts.Deployments;
using Onward.Contracts.Problems;
using Onward.Testing;

namespace Onward.Server.Tests.Api;

public class RequestErrorTests
{
    private static async Task<(HttpStatusCode Status, string? Detail)> PostAsync(OnwardHost onward, object body)
    {
        var response = await onward.Api.Http.PostAsJsonAsync("api/v1/deployments", body);
        var problem = await response.Content.ReadFromJsonAsync<ProblemResponse>(OnwardApi.Json);
        return (response.StatusCode, problem?.Detail);
    }

    [Fact]
    public async Task Bad_requests_say_what_is_wrong_and_record_nothing()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var commit = await repo.CommitAsync();
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [TestConfig.AutoEnvironment("dev-1"), TestConfig.ManualEnvironment("prod")],
            [SampleService.ServiceYaml("shop", repo.Path)]));
        await onward.Api.FinishedDeploymentAsync("shop", "dev-1", commit);

        var unknownService = await PostAsync(onward, new DeploymentRequestBody("shoop", "prod", commit[..7], null, null, null));
        unknownService.Status.ShouldBe(HttpStatusCode.NotFound);
        unknownService.Detail.ShouldBe("unknown service 'shoop'; known services: shop");

        var unknownEnvironment = await PostAsync(onward, new DeploymentRequestBody("shop", "production", commit[..7], null, null, null));
        unknownEnvironment.Status.ShouldBe(HttpStatusCode.NotFound);
        unknownEnvironment.Detail.ShouldBe("unknown environment 'production'; known environments: dev-1, prod");

        var unknownVersion = await PostAsync(onward, new DeploymentRequestBody("shop", "prod", "0000000", null, null, null));
        unknownVersion.Status.ShouldBe(HttpStatusCode.NotFound);
        unknownVersion.Detail.ShouldBe($"service 'shop' has no release with version '0000000'; recent versions: {commit[..7]}");

        var both = await PostAsync(onward, new DeploymentRequestBody("shop", "prod", commit[..7], commit, null, null));
        both.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        both.Detail.ShouldBe("give exactly one of `version` and `commit`");

        var empty = await PostAsync(onward, new { });
        empty.Status.ShouldBe(HttpStatusCode.BadRequest);

        (await onward.Api.DeploymentsAsync("shop", "prod")).ShouldBeEmpty();
        (await onward.Api.Http.GetAsync("api/v1/deployments/9999")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await onward.Api.Http.GetAsync("api/v1/releases/9999")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await onward.Api.Http.GetAsync("api/v1/services/nope")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await onward.Api.Http.GetAsync("api/v1/deployments?state=Sleeping")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    /// <summary>Regression for issue 10.4: a 10 MiB reason was stored and came back in every list; a null group was a 500.</summary>
    [Fact]
    public async Task Every_text_field_and_body_has_a_limit_that_the_answer_names_and_lists_come_in_pages()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var commits = new List<string> { await repo.CommitAsync() };
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [TestConfig.AutoEnvironment("dev-1"), TestConfig.ManualEnvironment("prod")],
            [SampleService.ServiceYaml("shop", repo.Path)]));
        await onward.Api.FinishedDeploymentAsync("shop", "dev-1", commits[0]);

        // A client that asks before sending (Expect: 100-continue) hears the refusal before it sends 10 MiB.
        using var hugeRequest = new HttpRequestMessage(HttpMethod.Post, "api/v1/deployments")
        {
            Content = JsonContent.Create(new DeploymentRequestBody("shop", "prod", commits[0][..7], null, new string('r', 10 * 1024 * 1024), null)),
        };
        hugeRequest.Headers.ExpectContinue = true;
        hugeRequest.Content.Headers.ContentLength = await hugeRequest.Content.ReadAsByteArrayAsync().ContinueWith(t => (long)t.Result.Length, TaskScheduler.Default);
        using var hugeResponse = await onward.Api.Http.SendAsync(hugeRequest);
        var huge = (Status: hugeResponse.StatusCode, (await hugeResponse.Content.ReadFromJsonAsync<ProblemResponse>(OnwardApi.Json))!.Detail);
        var longReason = await PostAsync(onward, new DeploymentRequestBody("shop", "prod", commits[0][..7], null, new string('r', 3000), null));
        var control = await PostAsync(onward, new DeploymentRequestBody("sh\u0000op", "prod", commits[0][..7], null, null, null));
        var shortCommit = await PostAsync(onward, new DeploymentRequestBody("shop", "prod", null, commits[0][..12], null, null));
        var nullGroup = await onward.Api.Http.PostAsync("api/v1/tokens",
            new StringContent("{\"name\":\"x\",\"role\":\"admin\",\"groups\":[null]}", System.Text.Encoding.UTF8, "application/json"));
        var longComment = await onward.Api.Http.PostAsJsonAsync("api/v1/deployments/1/approve", new DecisionBody(new string('c', 2001)));

        huge.Status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        huge.Detail!.ShouldContain("/api/v1/deployments takes at most 65536 bytes");
        longReason.Status.ShouldBe(HttpStatusCode.BadRequest);
        longReason.Detail.ShouldBe("`reason` is 3000 characters long; at most 2000 are accepted");
        control.Status.ShouldBe(HttpStatusCode.BadRequest);
        control.Detail!.ShouldStartWith("`service` holds the control character U+0000");
        shortCommit.Status.ShouldBe(HttpStatusCode.BadRequest);
        shortCommit.Detail!.ShouldContain("`commit` must be a full commit id (40 or 64 hexadecimal digits)");
        nullGroup.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await nullGroup.Content.ReadFromJsonAsync<ProblemResponse>(OnwardApi.Json))!.Detail!.ShouldStartWith("`groups[0]` is null");
        longComment.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await onward.Api.DeploymentsAsync("shop", "prod")).ShouldBeEmpty();

        for (var i = 0; i < 4; i++)
        {
            commits.Add(await repo.CommitAsync());
            await onward.Api.FinishedDeploymentAsync("shop", "dev-1", commits[^1]);
        }
        var seen = new List<long>();
        var next = "api/v1/deployments?service=shop&limit=2";
        while (next is not null)
        {
            using var page = await onward.Api.Http.GetAsync(next);
            seen.AddRange((await page.Content.ReadFromJsonAsync<DeploymentResponse[]>(OnwardApi.Json))!.Select(d => d.Id));
            next = page.Headers.TryGetValues("Link", out var links) ? links.Single().Split('>')[0].TrimStart('<').TrimStart('/') : null;
        }
        seen.Count.ShouldBe(5);
        seen.ShouldBe(seen.OrderByDescending(id => id).Distinct());
    }
}
