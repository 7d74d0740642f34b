using System.Text.Json;
using Onward.Contracts.Deployments;
using Onward.Contracts.Services;
using Onward.Testing;

namespace Onward.Server.Tests.Cli;

public class CliTests
{
    [Fact]
    public async Task Validate_reports_every_problem_with_its_position_and_exits_1()
    {
        await using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.Combine("onward.yaml"), """
            environments:
              dev-1: { target: { local: {} }, policy: { autoDeploy: always } }
            services:
              api:
                repository: ./api
                build: { command: { run: "make" } }
                deploy: { local: { command: "./run", healthUrl: "http://127.0.0.1:{port}/" } }
                verfy: { timeout: 1m }
            """);

        var result = await OnwardCli.RunAsync(dir.Path, "validate");

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("onward.yaml:2:57: environments.dev-1.policy.autoDeploy: unknown value 'always' (fix: use `main`");
        result.Error.ShouldContain("onward.yaml:8:5: services.api.verfy: unknown key 'verfy'");
        result.Error.ShouldContain("did you mean 'verify'?");
        result.Error.ShouldContain($"onward.yaml:5:17: services.api.repository: the local repository {dir.Combine("api")} does not exist");
        result.Error.ShouldContain("onward.yaml: 3 problem(s)");
    }

    [Fact]
    public async Task Serve_refuses_to_start_on_an_invalid_file_with_the_same_messages()
    {
        await using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.Combine("onward.yaml"), "environments:\n  prod: { target: { local: {} }, policy: { requires: [staging] } }\nservices: {}\n");

        var result = await OnwardCli.RunAsync(dir.Path, "serve", "--config", "onward.yaml");

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("refusing to start");
        result.Error.ShouldContain("onward.yaml:2:55: environments.prod.policy.requires[0]: unknown environment 'staging' (fix: there are no other environments");
    }

    [Fact]
    public async Task Usage_errors_exit_2_and_an_unreachable_server_exits_1()
    {
        var usage = await OnwardCli.RunAsync(null, "deployments", "request", "--service", "shop", "--version", "1a2b3c4");
        usage.ExitCode.ShouldBe(2);
        usage.Error.ShouldContain("Option '--env' is required.");

        var unreachable = await OnwardCli.RunAsync(null, "services", "list", "--server", $"http://127.0.0.1:{Ports.Free()}");
        unreachable.ExitCode.ShouldBe(1);
        unreachable.Error.ShouldContain("cannot reach the Onward server");
    }

    [Fact]
    public async Task The_cli_lists_shows_and_requests_deployments_for_people_and_for_scripts()
    {
        await using var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync("ok");
        var older = await repo.CommitAsync("older");
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(),
            [TestConfig.AutoEnvironment("dev-1"), TestConfig.ManualEnvironment("prod")],
            [SampleService.ServiceYaml("shop", repo.Path)]));
        await onward.Api.FinishedDeploymentAsync("shop", "dev-1", older);
        var newer = await repo.CommitAsync("newer");
        var dev = await onward.Api.FinishedDeploymentAsync("shop", "dev-1", newer);
        var server = onward.Config.Server.Listen.ToString();

        var services = await OnwardCli.RunAsync(null, "services", "list", "--server", server, "--json");
        services.ExitCode.ShouldBe(0);
        var parsed = JsonSerializer.Deserialize<ServiceResponse[]>(services.Output, OnwardApi.Json)!;
        parsed.Single().Environments.Single(e => e.Name == "dev-1").Current!.Commit.ShouldBe(newer);

        var table = await OnwardCli.RunAsync(null, "deployments", "list", "--server", server, "--service", "shop");
        table.ExitCode.ShouldBe(0);
        table.Output.ShouldContain(newer[..7]);
        table.Output.ShouldContain("Succeeded");

        var show = await OnwardCli.RunAsync(null, "deployments", "show", dev.Id.ToString(), "--server", server);
        show.ExitCode.ShouldBe(0);
        show.Output.ShouldContain($"Deployment {dev.Id}: shop {newer[..7]} → dev-1");
        show.Output.ShouldContain("Verifying");

        var request = await OnwardCli.RunAsync(null, "deployments", "request", "--server", server,
            "--service", "shop", "--env", "prod", "--version", newer[..7], "--reason", "release", "--wait");
        request.ExitCode.ShouldBe(0, request.Error);
        request.Output.ShouldContain("Succeeded");

        var backwards = await OnwardCli.RunAsync(null, "deployments", "request", "--server", server,
            "--service", "shop", "--env", "prod", "--commit", older, "--json");
        backwards.ExitCode.ShouldBe(1);
        backwards.Error.ShouldContain($"blocked: forward-only: {older[..7]} is older than prod's current commit {newer[..7]}");

        var blocked = JsonSerializer.Deserialize<DeploymentResponse[]>(
            (await OnwardCli.RunAsync(null, "deployments", "list", "--server", server, "--state", "Blocked", "--json")).Output, OnwardApi.Json)!;
        blocked.Single().Release.Commit.ShouldBe(older);
    }

    /// <summary>Issue 22.1: a List saved with the Secrets its Pods use never shows their values in a message.</summary>
    [Fact]
    public async Task Health_masks_the_values_of_secrets_saved_with_the_pods_that_print_them()
    {
        await using var dir = new TempDirectory();
        var file = dir.Combine("list.json");
        await File.WriteAllTextAsync(file, """
            {"kind":"List","items":[
              {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"shop"},"spec":{"containers":[{"name":"app","image":"x"}]},
               "status":{"phase":"Running","containerStatuses":[{"name":"app","ready":false,"restartCount":3,
                 "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 40s restarting failed container app: password hunter2222 rejected"}},
                 "lastState":{"terminated":{"exitCode":1,"reason":"Error","message":"cannot log in with hunter2222"}}}]}},
              {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop"},"data":{"password":"aHVudGVyMjIyMg=="}}]}
            """);

        var result = await OnwardCli.RunAsync(null, "health", "-f", file);

        result.ExitCode.ShouldBe(1);
        result.Output.ShouldContain("password *** rejected");
        result.Output.ShouldNotContain("hunter2222");
        result.Output.ShouldNotContain("aHVudGVyMjIyMg==");
    }

    [Fact]
    public async Task Health_evaluates_a_saved_object_and_answers_with_its_exit_code()
    {
        await using var dir = new TempDirectory();
        async Task<OnwardCli.Result> HealthAsync(string json)
        {
            var file = dir.Combine(Guid.NewGuid() + ".json");
            await File.WriteAllTextAsync(file, json);
            return await OnwardCli.RunAsync(null, "health", "-f", file, "--json");
        }
        const string Done = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","generation":2},"spec":{"replicas":2},"status":{"observedGeneration":2,"replicas":2,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2,"conditions":[{"type":"Available","status":"True"}]}}""";

        var healthy = await HealthAsync(Done);
        var progressing = await HealthAsync(Done.Replace("\"availableReplicas\":2", "\"availableReplicas\":1", StringComparison.Ordinal));
        var notAvailable = await HealthAsync(Done.Replace("\"status\":\"True\"", "\"status\":\"False\"", StringComparison.Ordinal));
        var failed = await HealthAsync("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1"},"spec":{"restartPolicy":"Always"},"status":{"phase":"Pending","containerStatuses":[{"name":"app","restartCount":0,"state":{"waiting":{"reason":"ImagePullBackOff","message":"Back-off pulling image"}}}]}}""");
        var garbage = await HealthAsync("not json");

        healthy.ExitCode.ShouldBe(0);
        healthy.Output.Trim().ShouldBe("""
            {"kind":"Deployment","name":"web","status":"Healthy","done":true,"message":"deployment \"web\" successfully rolled out","views":[{"rules":"kubectl","verdict":"Healthy","state":"Done","reason":"","message":"deployment \"web\" successfully rolled out"},{"rules":"kstatus","verdict":"Healthy","state":"Current","reason":"","message":"Deployment is available. Replicas: 2"},{"rules":"argocd","verdict":"Healthy","state":"Healthy","reason":"","message":""}]}
            """);
        progressing.ExitCode.ShouldBe(2);
        progressing.Output.ShouldContain("1 of 2 updated replicas are available");
        notAvailable.ExitCode.ShouldBe(2, "kubectl and Argo CD are done, kstatus is not: the strictest wins");
        notAvailable.Output.ShouldContain("\"message\":\"Deployment not Available (kstatus: InProgress)\"");
        failed.ExitCode.ShouldBe(1);
        failed.Output.ShouldContain("\"status\":\"Failed\"");
        failed.Output.ShouldContain("{\"rules\":\"onward\",\"verdict\":\"Failed\"");
        failed.Output.ShouldContain("{\"rules\":\"kubectl\",\"verdict\":\"None\"");
        failed.Output.ShouldContain("{\"rules\":\"argocd\",\"verdict\":\"Failed\",\"state\":\"Degraded\",\"reason\":\"\",\"message\":\"Back-off pulling image\"}");
        garbage.Error.ShouldContain("is not JSON");
        var file = dir.Combine("done.json");
        await File.WriteAllTextAsync(file, Done);
        var forPeople = await OnwardCli.RunAsync(null, "health", "-f", file);
        forPeople.ExitCode.ShouldBe(0);
        forPeople.Output.ShouldStartWith("Deployment web: Healthy — deployment \"web\" successfully rolled out");
        forPeople.Output.ShouldContain("RULES");
        forPeople.Output.ShouldNotContain("{\"kind\"", Case.Sensitive, "JSON only with --json");
    }

    /// <summary>Issue 24.4: tables for people, JSON with --json.</summary>
    [Fact]
    public async Task Flags_eval_prints_a_table_for_people_and_the_json_with_json()
    {
        await using var dir = new TempDirectory();
        var file = dir.Combine("flags.json");
        await File.WriteAllTextAsync(file, """{"flags":{"shout":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"if":[{"==":[{"var":"plan"},"pro"]},"on",null]}}}}""");

        var table = await OnwardCli.RunAsync(null, "flags", "eval", "-f", file, "--context", """{"targetingKey":"u1","plan":"pro"}""");
        var json = await OnwardCli.RunAsync(null, "flags", "eval", "-f", file, "shout", "--json");
        var missing = await OnwardCli.RunAsync(null, "flags", "eval", "-f", file, "whisper");

        table.ExitCode.ShouldBe(0, table.Error);
        table.Output.ShouldContain("FLAG");
        table.Output.ShouldContain("TARGETING_MATCH");
        table.Output.ShouldNotContain("\"reason\"");
        json.Output.Trim().ShouldStartWith("{\"key\":\"shout\",\"reason\":\"DEFAULT\",\"variant\":\"off\",\"value\":false");
        missing.ExitCode.ShouldBe(1);
        missing.Output.ShouldContain("FLAG_NOT_FOUND");
    }

    /// <summary>Issue 24.4: the CLI never prints a stack trace; a mistake is one line, exit 2 for usage and 1 for the rest.</summary>
    [Fact]
    public async Task Mistakes_on_the_command_line_are_one_line_each_with_what_to_do_and_a_mistyped_command_suggests_the_nearest()
    {
        await using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.Combine("not-onward.txt"), "<html>a web page</html>");
        await using var page = await HookReceiver.StartAsync();

        var notUrl = await OnwardCli.RunAsync(null, "--server", "not-a-url", "services", "list");
        var notNumber = await OnwardCli.RunAsync(null, "deployments", "show", "abc");
        var typo = await OnwardCli.RunAsync(null, "servics", "list");
        var option = await OnwardCli.RunAsync(null, "deployments", "list", "--servce", "shop");
        var elsewhere = await OnwardCli.RunAsync(null, "--server", page.Url("/not-onward"), "services", "list");
        var global = await OnwardCli.RunAsync(null, "services", "list", "--sever", "http://127.0.0.1:9");
        var nothing = await OnwardCli.RunAsync(null);
        var badUrl = await OnwardCli.RunAsync(dir.Path, "database", "copy", "--from", "nope.db", "--to", "sqlite:x.db");
        var validate = await OnwardCli.RunAsync(dir.Path, "validate", "--config", "missing.yaml");

        (notUrl.ExitCode, notUrl.Error.Trim()).ShouldBe((2, "error: --server 'not-a-url' is not the URL of a server; give e.g. http://127.0.0.1:8080 or https://onward.example.com"));
        notNumber.ExitCode.ShouldBe(2);
        notNumber.Error.ShouldContain("error: 'abc' is not a whole number (e.g. 42): the argument of `show` is one");
        typo.ExitCode.ShouldBe(2);
        typo.Error.ShouldStartWith("error: onward has no command 'servics'; did you mean 'services'?");
        option.Error.ShouldStartWith("error: `list` has no option '--servce'; did you mean '--service'?");
        global.Error.ShouldStartWith("error: `list` has no option '--sever'; did you mean '--server'?", Case.Sensitive, "options every command takes are suggested too");
        nothing.ExitCode.ShouldBe(2);
        nothing.Error.ShouldStartWith("error: onward needs a command: serve, demo, validate, services");
        badUrl.Error.Trim().ShouldBe("onward database copy: the database URL is neither sqlite:PATH nor postgres://… (write it like sqlite:onward.db)");
        validate.ExitCode.ShouldBe(1);
        validate.Error.ShouldContain("missing.yaml:1:1: the file does not exist");
        elsewhere.ExitCode.ShouldBe(1);
        elsewhere.Error.ShouldContain("with what Onward does not send");
        elsewhere.Error.ShouldContain("is it an Onward server? Check --server / ONWARD_SERVER");
        foreach (var result in new[] { notUrl, notNumber, typo, option, elsewhere, global, nothing, badUrl, validate })
        {
            result.Error.ShouldNotContain("   at ", Case.Sensitive, "no stack trace");
            result.Error.ShouldNotContain("System.");
        }
    }
}
