using Onward.Core.Configuration;

namespace Onward.Core.Tests.Configuration;

public class ConfigParserTests
{
    private const string Valid = """
        server:
          listen: http://127.0.0.1:8080
          database: sqlite:onward.db
          dataDir: .onward
        environments:
          dev-1: { target: { local: {} }, policy: { autoDeploy: main } }
          dev-2:
            target: { local: { ports: { billing: 9002 } } }
            policy: { autoDeploy: main, onFailure: halt }
          prod:
            target: { local: {} }
            policy:
              requires: [dev-1, dev-2]
              forwardOnly: true
        services:
          billing:
            repository: ./billing
            poll: 30s
            mainBranch: main
            versionRefPattern: '^v?(\d+\.)+\d+$'
            build: { command: { run: "make {artifact}" } }
            deploy:
              local: { command: "{artifact}/billing --port {port}", healthUrl: "http://127.0.0.1:{port}/healthz" }
            verify: { timeout: 2m }
        """;

    private static ConfigLoadResult Parse(string yaml, Dictionary<string, string>? env = null) =>
        ConfigParser.Parse(yaml, "onward.yaml", "/srv/onward", name => env?.GetValueOrDefault(name));

    [Fact]
    public void A_complete_file_becomes_a_configuration()
    {
        var result = Parse(Valid);

        result.Problems.ShouldBeEmpty();
        var config = result.Config!;
        config.Environments.Select(e => e.Name).ShouldBe(["dev-1", "dev-2", "prod"]);
        config.FindEnvironment("dev-1")!.Policy.AutoDeploy.ShouldBe(AutoDeployMode.Main);
        config.FindEnvironment("dev-2")!.Policy.OnFailure.ShouldBe(OnFailureMode.Halt);
        config.FindEnvironment("dev-2")!.Target.Local!.Ports["billing"].ShouldBe(9002);
        config.FindEnvironment("prod")!.Policy.Requires.ShouldBe(["dev-1", "dev-2"]);
        config.FindEnvironment("prod")!.Policy.AutoDeploy.ShouldBe(AutoDeployMode.None);
        var billing = config.FindService("billing")!;
        billing.Repository.Url.ShouldBe("/srv/onward/billing");
        billing.Poll.ShouldBe(TimeSpan.FromSeconds(30));
        billing.VerifyTimeout.ShouldBe(TimeSpan.FromMinutes(2));
        billing.VersionRefPattern.IsMatch("v1.2").ShouldBeTrue();
        billing.ReleaseCandidatePattern.IsMatch("1.2.3").ShouldBeTrue();
        config.Server.Database.ShouldBe("sqlite:/srv/onward/onward.db");
        config.Server.DataDir.ShouldBe("/srv/onward/.onward");
    }

    [Fact]
    public void Every_problem_is_reported_with_its_line_and_column_not_only_the_first()
    {
        var yaml = """
            environments:
              dev-1: { target: { local: {} }, policy: { autoDeploy: main, forwardOnyl: true } }
              prod:
                target: { local: {} }
                policy: { requires: [dev-1, dev-3] }
            services:
              billing:
                repository: ./billing
                poll: soon
                versionRefPattern: '^(\d+\.+\d+$'
                build: { command: { run: "make" } }
                deploy: { local: { command: "./run {prot}", healthUrl: "http://127.0.0.1:{port}/healthz" } }
            """;

        var problems = Parse(yaml).Problems;

        problems.Select(p => p.ToString()).ShouldSatisfyAllConditions(
            p => p.ShouldContain(s => s.StartsWith("onward.yaml:2:63: environments.dev-1.policy.forwardOnyl: unknown key 'forwardOnyl'") && s.Contains("did you mean 'forwardOnly'?")),
            p => p.ShouldContain(s => s.StartsWith("onward.yaml:5:33: environments.prod.policy.requires[1]: unknown environment 'dev-3'") && s.Contains("use one of: dev-1; did you mean 'dev-1'?")),
            p => p.ShouldContain(s => s.StartsWith("onward.yaml:9:11: services.billing.poll: 'soon' is not a duration")),
            p => p.ShouldContain(s => s.StartsWith("onward.yaml:10:24: services.billing.versionRefPattern: not a valid regular expression")),
            p => p.ShouldContain(s => s.StartsWith("onward.yaml:12:33: services.billing.deploy.local.command: unknown placeholder {prot}")));
        problems.Count.ShouldBe(5);
        problems.Select(p => (p.Line, p.Column)).ShouldBeInOrder();
        Parse(yaml).Config.ShouldBeNull();
    }

    [Fact]
    public void Duplicate_environment_and_service_names_are_caught()
    {
        var yaml = """
            environments:
              dev-1: { target: { local: {} } }
              dev-1: { target: { local: {} } }
            services:
              api: &api
                repository: ./api
                build: { command: { run: "true" } }
                deploy: { local: { command: "./run", healthUrl: "http://127.0.0.1:{port}/" } }
              api: *api
            """;

        var problems = Parse(yaml).Problems.Select(p => p.ToString()).ToList();

        problems.ShouldContain(p => p.StartsWith("onward.yaml:3:3: environments.dev-1: duplicate environment 'dev-1' (first defined at line 2)"));
        problems.ShouldContain(p => p.StartsWith("onward.yaml:9:3: services.api: duplicate service 'api' (first defined at line 5)"));
    }

    [Fact]
    public void Wrong_types_say_what_was_expected()
    {
        var yaml = """
            environments:
              dev-1: { target: { local: {} }, policy: { requires: dev-2, forwardOnly: maybe } }
              dev-2: [a, b]
            services: {}
            """;

        var problems = Parse(yaml).Problems.Select(p => p.ToString()).ToList();

        problems.ShouldContain(p => p.StartsWith("onward.yaml:2:55: environments.dev-1.policy.requires: expected a list"));
        problems.ShouldContain(p => p.StartsWith("onward.yaml:2:75: environments.dev-1.policy.forwardOnly: 'maybe' is not true or false"));
        problems.ShouldContain(p => p.StartsWith("onward.yaml:3:10: environments.dev-2: expected a mapping"));
    }

    [Fact]
    public void Environment_references_are_expanded_and_missing_ones_reported()
    {
        var yaml = """
            server: { listen: "http://127.0.0.1:${ONWARD_PORT}" }
            environments:
              dev-1: { target: { local: {} } }
            services:
              api:
                repository: ${API_REPO}
                build: { command: { run: "make" } }
                deploy: { local: { command: "./run", healthUrl: "http://127.0.0.1:{port}/" } }
            """;

        var ok = Parse(yaml, new() { ["ONWARD_PORT"] = "9999", ["API_REPO"] = "https://git.example.invalid/api.git" });
        ok.Problems.ShouldBeEmpty();
        ok.Config!.Server.Listen.Port.ShouldBe(9999);
        ok.Config.FindService("api")!.Repository.Url.ShouldBe("https://git.example.invalid/api.git");

        var missing = Parse(yaml, new() { ["ONWARD_PORT"] = "9999" }).Problems.Single();
        missing.ToString().ShouldStartWith("onward.yaml:6:17: services.api.repository: environment variable API_REPO is not set");
    }

    [Fact]
    public void Invalid_yaml_points_at_the_syntax_error()
    {
        var problem = Parse("environments:\n  dev-1: { target: { local: {} }\nservices: {}\n").Problems.Single();

        problem.Line.ShouldBeGreaterThanOrEqualTo(2);
        problem.Message.ShouldStartWith("not valid YAML");
    }

    [Fact]
    public void Unauthenticated_access_is_refused_off_loopback()
    {
        var yaml = Valid.Replace("listen: http://127.0.0.1:8080", "listen: http://0.0.0.0:8080", StringComparison.Ordinal);

        Parse(yaml).Problems.Single().ToString().ShouldContain("`none` is accepted only when the server listens on loopback");
    }

    [Fact]
    public void Production_policies_are_read_with_their_defaults()
    {
        var yaml = ("auth: { mode: tokens }\n" + Valid).Replace("forwardOnly: true", """
            forwardOnly: true
                  autoPromote: releaseCandidates
                  approval: { required: 2, approvers: [release-managers, sre] }
                  freeze: [ { cron: "0 18 * * FRI", duration: 62h, timezone: Europe/Berlin } ]
            """, StringComparison.Ordinal);

        var result = Parse(yaml);

        result.Problems.ShouldBeEmpty();
        var policy = result.Config!.FindEnvironment("prod")!.Policy;
        policy.AutoPromoteReleaseCandidates.ShouldBeTrue();
        policy.Approval.ShouldBe(new ApprovalPolicy(2, ["release-managers", "sre"], false, false, TimeSpan.FromDays(3)), new ApprovalPolicyComparer());
        var window = policy.Freeze.Single();
        window.Duration.ShouldBe(TimeSpan.FromHours(62));
        window.Zone.Id.ShouldBe("Europe/Berlin");
        result.Config.Auth.Mode.ShouldBe(AuthMode.Tokens);
    }

    [Fact]
    public void Approvals_without_token_authentication_are_refused_because_nobody_could_be_told_apart()
    {
        var yaml = Valid.Replace("forwardOnly: true", "forwardOnly: true\n      approval: { required: 1, approvers: [release-managers] }", StringComparison.Ordinal);

        var problem = Parse(yaml).Problems.Single();

        problem.Path.ShouldBe("environments.prod.policy.approval");
        problem.Hint.ShouldContain("auth: { mode: tokens }");
    }

    [Fact]
    public void Bad_freeze_windows_and_approvals_are_each_reported_with_a_fix()
    {
        var yaml = ("auth: { mode: tokens }\n" + Valid).Replace("forwardOnly: true", """
            forwardOnly: true
                  autoPromote: always
                  approval: { required: 0 }
                  freeze: [ { cron: "0 25 * * FRI", duration: 62h, timezone: Mars/Olympus }, { cron: "0 18 * * FRI" } ]
            """, StringComparison.Ordinal);

        var problems = Parse(yaml).Problems;

        problems.Select(p => p.Path).ShouldBe([
            "environments.prod.policy.autoPromote",
            "environments.prod.policy.approval.required",
            "environments.prod.policy.approval.approvers",
            "environments.prod.policy.freeze[0].cron",
            "environments.prod.policy.freeze[0].timezone",
            "environments.prod.policy.freeze[1].duration",
        ], ignoreOrder: true);
        problems.Single(p => p.Path.EndsWith("timezone", StringComparison.Ordinal)).Hint.ShouldContain("Europe/Berlin");
    }

    [Fact]
    public void Automatic_promotion_needs_environments_to_prove_a_release_in_first()
    {
        var yaml = Valid.Replace("requires: [dev-1, dev-2]", "autoPromote: releaseCandidates", StringComparison.Ordinal);

        Parse(yaml).Problems.Single().Hint.ShouldContain("requires: [dev-1]");
    }

    private sealed class ApprovalPolicyComparer : IEqualityComparer<ApprovalPolicy?>
    {
        public bool Equals(ApprovalPolicy? x, ApprovalPolicy? y) =>
            x is not null && y is not null && x.Required == y.Required && x.Approvers.SequenceEqual(y.Approvers)
            && x.AllowSelfApproval == y.AllowSelfApproval && x.IncludeAutoPromotions == y.IncludeAutoPromotions && x.Expiry == y.Expiry;

        public int GetHashCode(ApprovalPolicy? obj) => obj?.Required ?? 0;
    }

    [Fact]
    public void Webhook_secrets_are_read_per_provider_and_a_missing_one_is_refused()
    {
        var yaml = Valid + "\nwebhooks:\n  github: { secret: ${GH_SECRET} }\n  gitlab: {}\n";

        var result = Parse(yaml, new() { ["GH_SECRET"] = "s3cret" });

        result.Problems.Single().ToString().ShouldStartWith("onward.yaml:27:11: webhooks.gitlab: missing `secret`");
        var ok = Parse(Valid + "\nwebhooks:\n  github: { secret: ${GH_SECRET} }\n", new() { ["GH_SECRET"] = "s3cret" });
        ok.Config!.WebhookSecrets["github"].ShouldBe("s3cret");
    }

    [Fact]
    public void Image_builders_name_their_repository_and_registries_say_how_to_reach_it()
    {
        var yaml = """
            environments:
              dev-1: { target: { local: {} } }
            registries:
              "127.0.0.1:5000": { insecure: true, username: ci, password: "${REGISTRY_PASSWORD}" }
            services:
              api:
                repository: ./api
                build: { buildah: { image: 127.0.0.1:5000/acme/api, file: Dockerfile } }
                deploy: { local: { healthUrl: "http://127.0.0.1:{port}/healthz" } }
              worker:
                repository: ./worker
                build: { external: { image: registry.example.com/acme/worker } }
                deploy: { local: { healthUrl: "http://127.0.0.1:{port}/healthz" } }
            """;

        var config = Parse(yaml, new() { ["REGISTRY_PASSWORD"] = "pw" }).Config!;

        config.FindService("api")!.Build.Buildah.ShouldBe(new ImageBuildConfig(".", "Dockerfile", "127.0.0.1:5000/acme/api"));
        config.FindService("api")!.Deploy.Local!.Command.ShouldBeNull("an image runs its own entrypoint");
        config.FindService("worker")!.Build.ImageRepository.ShouldBe("registry.example.com/acme/worker");
        config.Registries.Single().ShouldBe(new RegistryConfig("127.0.0.1:5000", true, "ci", "pw", null));
    }

    [Fact]
    public void Cluster_services_render_per_environment_prune_by_default_and_heal_only_when_asked()
    {
        var yaml = """
            environments:
              dev: { target: { kubernetes: { server: "https://k8s.example", namespace: shop-dev } } }
              prod: { target: { kubernetes: { server: "https://k8s.example", namespace: shop, createNamespace: false } } }
            services:
              web:
                repository: https://git.example/web.git
                build: { external: { image: registry.example.com/acme/web } }
                deploy: { manifests: "deploy/overlays/{environment}/" }
              chart:
                repository: https://git.example/chart.git
                build: { external: { image: registry.example.com/acme/chart } }
                deploy: { render: { command: "helm template chart ./chart -f chart/values-{environment}.yaml", timeout: 30s }, prune: false, selfHeal: true }
            """;

        var config = Parse(yaml).Config!;

        var web = config.FindService("web")!.Deploy;
        web.ManifestsFor("web", "prod").ShouldBe("deploy/overlays/prod");
        (web.Prune, web.SelfHeal, web.Render).ShouldBe((true, false, null));
        var chart = config.FindService("chart")!.Deploy;
        chart.Render.ShouldBe(new RenderConfig("helm template chart ./chart -f chart/values-{environment}.yaml", TimeSpan.FromSeconds(30)));
        (chart.Prune, chart.SelfHeal).ShouldBe((false, true));
        config.FindEnvironment("dev")!.Target.Kubernetes!.CreateNamespace.ShouldBeTrue();
        config.FindEnvironment("prod")!.Target.Kubernetes!.CreateNamespace.ShouldBeFalse();
        config.FindEnvironment("dev")!.Target.Kubernetes!.ClusterKey.ShouldBe(config.FindEnvironment("prod")!.Target.Kubernetes!.ClusterKey, "one cluster, one connection");
    }

    [Fact]
    public void Builder_mistakes_are_caught()
    {
        var yaml = """
            environments:
              dev-1: { target: { local: {} } }
            registries:
              "https://127.0.0.1:5000": { insecure: true }
            services:
              a:
                repository: ./a
                build: { buildah: { image: "127.0.0.1:5000/acme/a:latest" } }
                deploy: { local: { healthUrl: "http://127.0.0.1:{port}/" } }
              b:
                repository: ./b
                build: { command: { run: make }, docker: { image: 127.0.0.1:5000/b } }
                deploy: { local: { healthUrl: "http://127.0.0.1:{port}/" } }
              c:
                repository: ./c
                build: { docker: { image: 127.0.0.1:5000/c, context: ../outside } }
                deploy: { local: { healthUrl: "http://127.0.0.1:{port}/" } }
            """;

        var problems = Parse(yaml).Problems.Select(p => p.ToString()).ToList();

        problems.ShouldContain(p => p.Contains("registries.https://127.0.0.1:5000: 'https://127.0.0.1:5000' is not a registry host"));
        problems.ShouldContain(p => p.Contains("services.a.build.buildah.image: '127.0.0.1:5000/acme/a:latest' names a tag; give the repository alone (e.g. 127.0.0.1:5000/acme/a): Onward adds the tags"));
        problems.ShouldContain(p => p.Contains("services.b.build: several builders given (command, docker)"));
        problems.ShouldContain(p => p.Contains("services.c.build.docker.context: '../outside' leaves the repository"));
    }

    /// <summary>Regression for issue 10.6: a cycle of requirements was accepted, leaving its environments undeployable.</summary>
    [Fact]
    public void A_cycle_of_requirements_is_reported_at_each_environment_in_it()
    {
        var yaml = """
            environments:
              a: { target: { local: {} }, policy: { requires: [c] } }
              b: { target: { local: {} }, policy: { requires: [a] } }
              c: { target: { local: {} }, policy: { requires: [dev, b] } }
              dev: { target: { local: {} } }
            services:
              s:
                repository: ./s
                build: { command: { run: make } }
                deploy: { local: { command: run, healthUrl: "http://127.0.0.1:{port}/" } }
            """;

        var problems = Parse(yaml).Problems;

        problems.Select(p => p.ToString()).ShouldBe(
        [
            "onward.yaml:2:52: environments.a.policy.requires[0]: 'a' requires 'c', which closes the cycle a → c → b → a: none of them could ever be deployed to (fix: remove one of these requirements; a chain of environments runs one way, e.g. dev → staging → prod)",
            "onward.yaml:3:52: environments.b.policy.requires[0]: 'b' requires 'a', which closes the cycle a → c → b → a: none of them could ever be deployed to (fix: remove one of these requirements; a chain of environments runs one way, e.g. dev → staging → prod)",
            "onward.yaml:4:57: environments.c.policy.requires[1]: 'c' requires 'b', which closes the cycle a → c → b → a: none of them could ever be deployed to (fix: remove one of these requirements; a chain of environments runs one way, e.g. dev → staging → prod)",
        ]);
    }

    /// <summary>Regression for issue 10.6: a tab in the indentation was reported at 1:1.</summary>
    [Fact]
    public void A_tab_in_the_indentation_is_reported_where_it_is()
    {
        var yaml = Valid.Replace("    poll: 30s", "\tpoll: 30s", StringComparison.Ordinal);

        var problem = Parse(yaml).Problems.ShouldHaveSingleItem();

        problem.ToString().ShouldBe("onward.yaml:18:1: a tab is used for indentation (fix: indent with spaces only (YAML does not allow tabs there); most editors can turn tabs into spaces)");
    }

    /// <summary>Regression for issue 10.6: an image without a registry host passed the validator and failed the builder eight times.</summary>
    [Fact]
    public void An_image_without_a_registry_host_is_a_docker_hub_repository_for_the_validator_and_the_builder_alike()
    {
        var yaml = Valid.Replace("build: { command: { run: \"make {artifact}\" } }", "build: { buildah: { image: acme/app } }", StringComparison.Ordinal)
            .Replace("local: { command: \"{artifact}/billing --port {port}\", ", "local: { ", StringComparison.Ordinal);

        var result = Parse(yaml);

        result.Problems.ShouldBeEmpty();
        result.Config!.FindService("billing")!.Build.ImageRepository.ShouldBe("docker.io/acme/app");
        Parse(yaml.Replace("acme/app", "Acme/App/x", StringComparison.Ordinal)).Problems.ShouldContain(p => p.Message.Contains("uppercase letters in its repository name"));
    }

    /// <summary>Regression for issue 10.6: a local repository that does not exist was accepted.</summary>
    [Fact]
    public void A_local_repository_that_does_not_exist_is_reported_when_paths_can_be_checked()
    {
        var checkedPaths = new List<string>();
        var result = ConfigParser.Parse(Valid, "onward.yaml", "/srv/onward", _ => null, path =>
        {
            checkedPaths.Add(path);
            return false;
        });

        result.Problems.ShouldHaveSingleItem().ToString().ShouldBe(
            "onward.yaml:17:17: services.billing.repository: the local repository /srv/onward/billing does not exist (fix: give the path of a git repository on this host (relative paths start at this file's folder), or its URL)");
        checkedPaths.ShouldBe(["/srv/onward/billing"]);
        ConfigParser.Parse(Valid.Replace("./billing", "https://git.example/billing.git", StringComparison.Ordinal), "onward.yaml", "/srv/onward", _ => null, _ => false)
            .Problems.ShouldBeEmpty("URLs are not looked for on this host");
    }
}
