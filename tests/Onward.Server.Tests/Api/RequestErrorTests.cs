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
}
