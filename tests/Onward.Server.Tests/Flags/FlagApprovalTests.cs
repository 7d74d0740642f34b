using System.Net;
using System.Net.Http.Json;
using System.Text;
using Onward.Contracts.Flags;
using Onward.Server.Tests.Production;
using Onward.Testing;

namespace Onward.Server.Tests.Flags;

/// <summary>Issue 13: in an environment whose policy has <c>flags: { approval: true }</c>, a flag change waits for the environment's approvals as a deployment does.</summary>
public class FlagApprovalTests
{
    private const string Document = """
        {"flags": {
          "banner": {"state": "ENABLED", "variants": {"winter": "Winter sale", "none": ""}, "defaultVariant": "winter"},
          "new-checkout": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"}
        }}
        """;

    [Fact]
    public async Task A_flag_change_in_production_applies_only_once_the_approvers_agree_and_a_rejection_ends_it()
    {
        await using var dir = new TempDirectory();
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            ["prod: { target: { local: {} }, policy: { approval: { required: 2, approvers: [release-managers] }, flags: { approval: true } } }"], [],
            "auth: { mode: tokens }"));
        using var team = await Team.CreateAsync(onward, dir.Path);

        using var put = await team["dave"].Http.PutAsync("api/v1/environments/prod/flags?comment=winter%20sale", new StringContent(Document, Encoding.UTF8, "application/json"));
        put.StatusCode.ShouldBe(HttpStatusCode.Accepted, await put.Content.ReadAsStringAsync());
        var request = (await put.Content.ReadFromJsonAsync<FlagChangeRequestResponse>(OnwardApi.Json))!;
        request.State.ShouldBe(FlagRequestState.Pending);
        request.Needs.ShouldBe("2 approvals from release-managers");
        (await team["vera"].Http.GetFromJsonAsync<EnvironmentFlagsResponse>("api/v1/environments/prod/flags", OnwardApi.Json))!.Flags.ShouldBeEmpty("nothing applies before the approvals");

        var byDeployer = await team["dan"].PostAsync<FlagChangeRequestResponse>($"api/v1/environments/prod/flags/requests/{request.Id}/approve", new FlagDecisionRequest("lgtm"));
        byDeployer.Status.ShouldBe(HttpStatusCode.Forbidden);
        byDeployer.Problem!.Detail.ShouldBe("dan has the role deployer; deciding on flag changes needs approver");
        (await team["sam"].PostAsync<FlagChangeRequestResponse>($"api/v1/environments/prod/flags/requests/{request.Id}/approve", new FlagDecisionRequest(null)))
            .Problem!.Detail.ShouldBe("sam is not in an approver group of prod (release-managers); a token's groups are set with `onward tokens create --group`");
        var first = await team.CliAsync("alice", "flags", "approve", request.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--env", "prod", "--comment", "fine");
        first.ExitCode.ShouldBe(0, first.Error);
        first.Output.ShouldContain($"flag change request {request.Id} is pending");
        var second = await team.CliAsync("bob", "flags", "approve", request.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--env", "prod");
        second.Output.ShouldContain($"flag change request {request.Id} is applied: prod now has 2 flag(s) of its own");
        var flags = (await team["vera"].Http.GetFromJsonAsync<EnvironmentFlagsResponse>("api/v1/environments/prod/flags", OnwardApi.Json))!;
        flags.Flags.Count.ShouldBe(2);
        flags.Flags[0].Source.Actor.ShouldBe($"dave (approved request {request.Id})");

        var kill = await team.CliAsync("alice", "flags", "set", "new-checkout", "--env", "prod", "--state", "DISABLED", "--comment", "incident");
        kill.ExitCode.ShouldBe(0, kill.Error);
        kill.Output.ShouldContain("waits for approval in prod: 2 approvals from release-managers");
        var pending = (await team["vera"].Http.GetFromJsonAsync<FlagChangeRequestResponse[]>("api/v1/environments/prod/flags/requests?state=pending", OnwardApi.Json))!;
        var killRequest = pending.ShouldHaveSingleItem();
        (await team["alice"].PostAsync<FlagChangeRequestResponse>($"api/v1/environments/prod/flags/requests/{killRequest.Id}/approve", new FlagDecisionRequest(null)))
            .Problem!.Detail.ShouldBe("alice requested this flag change and cannot approve it; prod needs someone else (allowSelfApproval is false)");
        var rejected = await team["carol"].PostAsync<FlagChangeRequestResponse>($"api/v1/environments/prod/flags/requests/{killRequest.Id}/reject", new FlagDecisionRequest("use the runbook"));
        rejected.Value!.State.ShouldBe(FlagRequestState.Rejected);
        rejected.Value.Outcome.ShouldBe("rejected by carol: use the runbook");
        (await team["erin"].PostAsync<FlagChangeRequestResponse>($"api/v1/environments/prod/flags/requests/{killRequest.Id}/approve", new FlagDecisionRequest(null)))
            .Status.ShouldBe(HttpStatusCode.Conflict);
        (await team["vera"].Http.GetFromJsonAsync<EnvironmentFlagsResponse>("api/v1/environments/prod/flags", OnwardApi.Json))!
            .Flags.Single(f => f.Key == "new-checkout").State.ShouldBe("ENABLED");
        var audit = await team.CliAsync("root", "audit", "list", "--env", "prod");
        audit.Output.ShouldContain("waits for approval: winter sale");
        audit.Output.ShouldContain($"flag change request {killRequest.Id} rejected: use the runbook");
    }

    [Fact]
    public async Task A_flag_change_nobody_approves_within_the_expiry_ends_expired_and_changes_nothing()
    {
        await using var dir = new TempDirectory();
        var clock = new ShiftedClock(DateTimeOffset.UtcNow);
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            ["prod: { target: { local: {} }, policy: { approval: { required: 1, approvers: [release-managers], expiry: 1h }, flags: { approval: true } } }"], [],
            "auth: { mode: tokens }"), clock);
        using var team = await Team.CreateAsync(onward, dir.Path);
        using var put = await team["dave"].Http.PutAsync("api/v1/environments/prod/flags", new StringContent(Document, Encoding.UTF8, "application/json"));
        var request = (await put.Content.ReadFromJsonAsync<FlagChangeRequestResponse>(OnwardApi.Json))!;

        clock.Advance(TimeSpan.FromHours(2));

        var late = await team["alice"].PostAsync<FlagChangeRequestResponse>($"api/v1/environments/prod/flags/requests/{request.Id}/approve", new FlagDecisionRequest(null));
        late.Status.ShouldBe(HttpStatusCode.Conflict);
        late.Problem!.Detail.ShouldBe($"flag change request {request.Id} is expired already: approval expired: 1 approval from release-managers were not given within 1h00m");
        (await team["vera"].Http.GetFromJsonAsync<FlagChangeRequestResponse[]>("api/v1/environments/prod/flags/requests?state=pending", OnwardApi.Json))!.ShouldBeEmpty();
        (await team["vera"].Http.GetFromJsonAsync<EnvironmentFlagsResponse>("api/v1/environments/prod/flags", OnwardApi.Json))!.Flags.ShouldBeEmpty();
    }
}
