using Onward.Core.Configuration;
using Onward.Core.Previews;
using Onward.Core.Targets;

namespace Onward.Core.Tests.Previews;

/// <summary>A service's <c>previews</c>: what is read, the environment a preview gets, and each mistake refused with its fix.</summary>
public class PreviewConfigTests
{
    private static ConfigLoadResult Parse(string previews, string environments = "") =>
        ConfigParser.Parse(
            "auth: { mode: tokens }\nenvironments:\n  dev-1: { target: { local: { ports: { shop: 8100 } } }, policy: { autoDeploy: main, approval: { required: 1, approvers: [a] }, forwardOnly: true, onFailure: restore } }\n"
            + "  stage: { target: { kubernetes: { namespace: stage, server: \"https://k8s.example:6443\", token: t } }, policy: {} }\n" + environments
            + "services:\n  shop:\n    repository: https://git.example/shop.git\n    build: { buildah: { image: 127.0.0.1:5000/acme/shop } }\n"
            + "    deploy: { local: { command: run, healthUrl: \"http://127.0.0.1:{port}/\" }, manifests: deploy/ }\n"
            + $"    previews: {previews}\n",
            "onward.yaml", "/srv/onward", _ => null, _ => true);

    [Fact]
    public void Previews_are_read_with_their_defaults_and_a_local_preview_is_an_environment_without_the_shared_ones_policies()
    {
        var result = Parse("{ from: dev-1, branches: '^(feature|fix)/', ports: 9200-9299 }");

        result.Problems.ShouldBeEmpty();
        var previews = result.Config!.Services[0].Previews.ShouldNotBeNull();
        (previews.From, previews.Ttl, previews.Max, previews.Ports).ShouldBe(("dev-1", TimeSpan.FromHours(72), 10, ((int, int)?)(9200, 9299)));
        previews.Takes("feature/login").ShouldBeTrue();
        previews.Takes("main").ShouldBeFalse();

        var config = PreviewEnvironments.Add(result.Config, [new PreviewPlace("shop", 42, 9200)]);
        var environment = config.FindEnvironment("shop-pr-42").ShouldNotBeNull();
        config.Environments.Count.ShouldBe(2, "previews are not onward.yaml's environments");
        environment.Preview.ShouldBe(new PreviewOf("shop", 42, "dev-1"));
        environment.PathName.ShouldBe("dev-1", "paths in the repository are the from environment's");
        environment.Target.Local!.Ports.ShouldBe(new Dictionary<string, int> { ["shop"] = 9200 });
        (environment.Policy.AutoDeploy, environment.Policy.Approval, environment.Policy.ForwardOnly, environment.Policy.OnFailure, environment.Policy.Requires.Count)
            .ShouldBe((AutoDeployMode.None, (ApprovalPolicy?)null, false, OnFailureMode.Restore, 0));
        config.ServicesIn(environment).Select(s => s.Name).ShouldBe(["shop"]);
        PreviewConfig.NumberOf("shop", "shop-pr-42").ShouldBe(42);
        PreviewConfig.NumberOf("shop", "shop-pr-4x").ShouldBeNull();
    }

    [Fact]
    public void A_kubernetes_preview_gets_a_namespace_of_its_own_on_the_same_cluster()
    {
        var result = Parse("{ from: stage, namespace: 'shop-pr-{number}', url: 'https://pr-{number}.shop.preview.example' }");

        result.Problems.ShouldBeEmpty();
        var environment = PreviewEnvironments.Make(result.Config!, new PreviewPlace("shop", 7, null)).ShouldNotBeNull();
        environment.Target.Kind.ShouldBe(TargetKind.Kubernetes);
        environment.Target.Kubernetes!.Namespace.ShouldBe("shop-pr-7");
        environment.Target.Kubernetes.CreateNamespace.ShouldBeTrue();
        environment.Target.Kubernetes.ClusterKey.ShouldBe(result.Config!.Environments[1].Target.Kubernetes!.ClusterKey);
        PreviewConfig.Fill(result.Config.Services[0].Previews!.Url!, "shop", 7).ShouldBe("https://pr-7.shop.preview.example");
    }

    [Fact]
    public void A_pull_request_from_a_fork_gets_a_preview_only_with_forks_on()
    {
        var fork = new PullRequestEvent(["https://git.example/shop.git"], 9, PullRequestAction.Updated, "opened", "feature/x", new string('a', 40), "refs/pull/9/head", null) { FromFork = true };
        var off = Parse("{ from: dev-1 }").Config!;
        var on = Parse("{ from: dev-1, forks: true }").Config!;

        PreviewRequests.Classify(off, fork).ShouldBe((false, "pull request #9 opened: shop: no preview: it comes from a fork, and previews.forks is off (a fork's code is built and run only with `forks: true`)"));
        PreviewRequests.Classify(on, fork).ShouldBe((true, "pull request #9 opened: shop: shop-pr-9 previews aaaaaaa"));
        PreviewRequests.Classify(off, fork with { Action = PullRequestAction.Closed }).Acts.ShouldBeTrue("a close always ends what there is");
    }

    private static readonly string[] TwoServices = ["shop", "cart"];

    [Fact]
    public void Two_services_previews_may_not_share_a_namespace()
    {
        var result = ConfigParser.Parse(
            "environments:\n  stage: { target: { kubernetes: { namespace: stage, server: \"https://k8s.example:6443\", token: t } }, policy: {} }\nservices:\n"
            + string.Concat(TwoServices.Select(name => $"  {name}:\n    repository: https://git.example/{name}.git\n    build: {{ buildah: {{ image: 127.0.0.1:5000/acme/{name} }} }}\n"
                + "    deploy: { manifests: deploy/ }\n    previews: { from: stage, namespace: 'pr-{number}' }\n")),
            "onward.yaml", "/srv/onward", _ => null, _ => true);

        result.Problems.Select(p => p.ToString()).ShouldContain(p => p.Contains("shop's and cart's previews of the same pull request number would share a namespace", StringComparison.Ordinal),
            string.Join("\n", result.Problems));
    }

    public static TheoryData<string, string, string, string> Mistakes => new()
    {
        { "no from", "{ ttl: 1h }", "", "services.shop.previews: missing `from`" },
        { "unknown from", "{ from: dev-2 }", "", "services.shop.previews.from: unknown environment 'dev-2'" },
        { "namespace on local", "{ from: dev-1, namespace: 'x-{number}' }", "", "dev-1 is a local environment; a namespace is for Kubernetes" },
        { "ports on kubernetes", "{ from: stage, ports: 9200-9210 }", "", "stage is a Kubernetes environment; stable ports are the local target's" },
        { "namespace without number", "{ from: stage, namespace: 'shop-previews' }", "", "every preview needs a namespace of its own, and this one has no {number}" },
        { "namespace not a label", "{ from: stage, namespace: 'Shop_{number}' }", "", "would not be a valid namespace name" },
        { "unknown placeholder", "{ from: stage, url: 'https://{branch}.example' }", "", "unknown placeholder {branch}" },
        { "url not http", "{ from: stage, url: 'ftp://pr-{number}.example' }", "", "is not an http(s) URL" },
        { "ports not a range", "{ from: dev-1, ports: 9300-9200 }", "", "'9300-9200' is not a range of ports" },
        { "range holds a stable port", "{ from: dev-1, ports: 8000-8200 }", "", "the range 8000-8200 holds a stable port of dev-1" },
        { "ttl too short", "{ from: dev-1, ttl: 10s }", "", "a preview would be destroyed before anyone looked at it" },
        { "max zero", "{ from: dev-1, max: 0 }", "", "'0' is not a whole number from 1 to 1000" },
        { "bad branches", "{ from: dev-1, branches: '(' }", "", "not a valid regular expression" },
        { "an environment's namespace", "{ from: stage }", "  other: { target: { kubernetes: { namespace: shop-pr-7, server: \"https://k8s.example:6443\", token: t } }, policy: {} }\n",
            "a preview's namespace could be shop-pr-7, other's, which destroying the preview would delete" },
        { "a preview's name taken", "{ from: dev-1 }", "  shop-pr-1: { target: { local: {} }, policy: {} }\n", "'shop-pr-1' is the name of a preview of shop's pull requests" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Each_mistake_is_refused_with_its_fix(string mistake, string previews, string environments, string problem)
    {
        var result = Parse(previews, environments);

        result.Config.ShouldBeNull(mistake);
        result.Problems.Select(p => p.ToString()).ShouldContain(p => p.Contains(problem, StringComparison.Ordinal), mistake + ": " + string.Join("\n", result.Problems));
    }
}
