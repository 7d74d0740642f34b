using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Onward.Testing;
using Onward.Testing.Kubernetes;

namespace Onward.Integrations.Tests.Kubernetes;

/// <summary>
/// Issue 12.7: what real teams' manifests need from the API test server, as a real API server does it: discovery,
/// CRDs served once Established with their schema enforced, cluster-scoped kinds, namespaces that must exist,
/// validation, admission, field ownership, filtered watches, finalizers and garbage collection.
/// </summary>
public class ApiServerFidelityTests
{
    private const string Ns = "shop";

    private const string WidgetDefinition = """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
         "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
          "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
            "schema":{"openAPIV3Schema":{"type":"object","properties":{
              "spec":{"type":"object","required":["size"],"properties":{"size":{"type":"integer"},"colour":{"type":"string","enum":["red","blue"]}}},
              "status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}}
        """;

    [Fact]
    public async Task Discovery_lists_every_group_version_and_resource_with_its_scope()
    {
        await using var server = await KubernetesApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };

        var core = await JsonAsync(http, "/api");
        var groups = await JsonAsync(http, "/apis");
        var apps = await JsonAsync(http, "/apis/apps/v1");
        var rbac = await JsonAsync(http, "/apis/rbac.authorization.k8s.io/v1");
        var autoscaling = groups["groups"]!.AsArray().Single(g => g!["name"]!.GetValue<string>() == "autoscaling")!;

        core["versions"]![0]!.GetValue<string>().ShouldBe("v1");
        apps["groupVersion"]!.GetValue<string>().ShouldBe("apps/v1");
        Resource(apps, "deployments")["kind"]!.GetValue<string>().ShouldBe("Deployment");
        Resource(apps, "deployments")["namespaced"]!.GetValue<bool>().ShouldBeTrue();
        Resource(apps, "deployments/status")["verbs"]!.AsArray().Select(v => v!.GetValue<string>()).ShouldBe(["get", "patch", "update"]);
        Resource(rbac, "clusterroles")["namespaced"]!.GetValue<bool>().ShouldBeFalse();
        autoscaling["preferredVersion"]!["version"]!.GetValue<string>().ShouldBe("v2");
        autoscaling["versions"]!.AsArray().Select(v => v!["version"]!.GetValue<string>()).ShouldBe(["v2", "v1"]);
        (await http.GetAsync("/apis/example.com/v1")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_crd_is_served_once_established_and_its_objects_are_held_to_the_schema()
    {
        await using var server = await KubernetesApiServer.StartAsync(namespaces: [Ns]);
        server.EstablishDelay = TimeSpan.FromSeconds(3); // long enough for the next request to come before it, even on a loaded machine
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        const string widgets = "/apis/example.com/v1/namespaces/shop/widgets";

        (await ApplyAsync(http, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", WidgetDefinition)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var early = await ApplyAsync(http, widgets + "/w1", Widget("{\"size\":3}"));
        var established = await Eventually.WaitAsync(async () =>
        {
            var crd = await JsonAsync(http, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
            return crd["status"]?["conditions"]?.AsArray().Any(c => c!["type"]!.GetValue<string>() == "Established" && c["status"]!.GetValue<string>() == "True") == true ? crd : null;
        }, "the CRD to be Established");
        var applied = await ApplyAsync(http, widgets + "/w1", Widget("{\"size\":3}"));
        var wrongType = await ApplyAsync(http, widgets + "/w1", Widget("{\"size\":\"three\"}"));
        var missing = await ApplyAsync(http, widgets + "/w2", Widget("{\"colour\":\"red\"}"));
        var notAllowed = await ApplyAsync(http, widgets + "/w1", Widget("{\"size\":3,\"colour\":\"pink\"}"));
        var strict = await ApplyAsync(http, widgets + "/w1?fieldValidation=Strict", Widget("{\"size\":3,\"shape\":\"round\"}"));
        var pruned = await ApplyAsync(http, widgets + "/w1", Widget("{\"size\":4,\"shape\":\"round\"}"));

        early.StatusCode.ShouldBe(HttpStatusCode.NotFound, "a CRD's resources are not served before it is Established");
        established["status"]!["acceptedNames"]!["kind"]!.GetValue<string>().ShouldBe("Widget");
        Resource(await JsonAsync(http, "/apis/example.com/v1"), "widgets")["namespaced"]!.GetValue<bool>().ShouldBeTrue();
        applied.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await MessageAsync(wrongType)).ShouldContain("spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"");
        wrongType.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await MessageAsync(missing)).ShouldContain("spec.size: Required value");
        (await MessageAsync(notAllowed)).ShouldContain("spec.colour: Unsupported value: \"pink\"");
        strict.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await MessageAsync(strict)).ShouldContain(".spec.shape: field not declared in schema");
        var kept = JsonNode.Parse(await pruned.Content.ReadAsStringAsync())!;
        kept["spec"]!.ToJsonString().ShouldBe("{\"size\":4}", "unknown fields are pruned without strict validation");

        (await http.DeleteAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync("/apis/example.com/v1")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        server.Store.Find((t, _, _) => t.Plural == "widgets").ShouldBeEmpty("deleting a CRD deletes its objects");
    }

    [Fact]
    public async Task A_crd_that_breaks_the_rules_is_refused_with_the_api_servers_reasons()
    {
        await using var server = await KubernetesApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        var bad = JsonNode.Parse(WidgetDefinition)!;
        bad["metadata"]!["name"] = "widgets";
        bad["spec"]!["group"] = "example";
        bad["spec"]!["versions"]![0]!["storage"] = false;

        var refused = await ApplyAsync(http, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets", bad.ToJsonString());

        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var message = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["message"]!.GetValue<string>();
        message.ShouldContain("spec.group: Invalid value: \"example\": should be a domain with at least one dot");
        message.ShouldContain("metadata.name: Invalid value: \"widgets\": must be spec.names.plural+\".\"+spec.group");
        message.ShouldContain("must have exactly one version marked as storage version");
    }

    [Fact]
    public async Task Objects_need_an_existing_namespace_a_valid_name_a_matching_selector_and_admission()
    {
        await using var server = await KubernetesApiServer.StartAsync(namespaces: [Ns]);
        server.Admission = (type, item) => type.Kind == "ConfigMap" && item["data"]?["forbidden"] is not null ? "ConfigMaps may not set `forbidden`" : null;
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };

        var noNamespace = await ApplyAsync(http, "/api/v1/namespaces/nowhere/configmaps/c", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}""");
        var badName = await ApplyAsync(http, "/api/v1/namespaces/shop/configmaps/Web_Config", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Web_Config"}}""");
        var badSelector = await ApplyAsync(http, "/apis/apps/v1/namespaces/shop/deployments/web", Deployment(selector: "web", template: "other"));
        var denied = await ApplyAsync(http, "/api/v1/namespaces/shop/configmaps/c", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"forbidden":"1"}}""");
        var clusterRole = await ApplyAsync(http, "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:reader", """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"system:reader"},"rules":[]}""");
        var created = await ApplyAsync(http, "/apis/apps/v1/namespaces/shop/deployments/web", Deployment(selector: "web", template: "web"));
        var reselected = await ApplyAsync(http, "/apis/apps/v1/namespaces/shop/deployments/web", Deployment(selector: "web2", template: "web2"));

        noNamespace.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await MessageAsync(noNamespace)).ShouldContain("namespaces \"nowhere\" not found");
        badName.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await MessageAsync(badName)).ShouldContain("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters");
        badSelector.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await MessageAsync(badSelector)).ShouldContain("`selector` does not match template `labels`");
        denied.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await MessageAsync(denied)).ShouldContain("admission webhook \"policy.test.onward.dev\" denied the request: ConfigMaps may not set `forbidden`");
        clusterRole.StatusCode.ShouldBe(HttpStatusCode.OK, "RBAC names may hold colons, and a ClusterRole lives outside namespaces");
        server.Store.Get(ResourceType.Of("clusterroles"), null, "system:reader").ShouldNotBeNull();
        created.StatusCode.ShouldBe(HttpStatusCode.OK);
        reselected.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await MessageAsync(reselected)).ShouldContain("spec.selector: Invalid value");
        (await MessageAsync(reselected)).ShouldContain("field is immutable");
    }

    [Fact]
    public async Task Server_side_apply_removes_what_the_applier_stopped_setting_and_keeps_what_others_own()
    {
        await using var server = await KubernetesApiServer.StartAsync(namespaces: [Ns]);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        const string path = "/api/v1/namespaces/shop/configmaps/c";

        await ApplyAsync(http, path, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"team":"shop"}},"data":{"a":"1","b":"2"}}""");
        using var edit = new HttpRequestMessage(HttpMethod.Patch, path + "?fieldManager=kubectl-edit") { Content = new StringContent("""{"data":{"c":"3"}}""", Encoding.UTF8) };
        edit.Content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        (await http.SendAsync(edit)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var reapplied = await ApplyAsync(http, path, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}""");

        var live = JsonNode.Parse(await reapplied.Content.ReadAsStringAsync())!;
        live["data"]!.ToJsonString().ShouldBe("""{"a":"1","c":"3"}""", "b was onward's and is gone; c is kubectl-edit's and stays");
        live["metadata"]!["labels"].ShouldBeNull();
        live["metadata"]!["managedFields"]!.AsArray().Select(f => f!["manager"]!.GetValue<string>()).Order().ShouldBe(["kubectl-edit", "onward"]);
    }

    [Fact]
    public async Task A_watch_with_a_label_selector_sees_objects_leave_and_enter_it()
    {
        await using var server = await KubernetesApiServer.StartAsync(namespaces: [Ns]);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        var list = await JsonAsync(http, "/api/v1/namespaces/shop/configmaps?labelSelector=team%3Dshop");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<string>();
        var watching = Task.Run(async () =>
        {
            using var stream = new StreamReader(await http.GetStreamAsync(
                $"/api/v1/namespaces/shop/configmaps?watch=true&labelSelector=team%3Dshop&resourceVersion={list["metadata"]!["resourceVersion"]}", stop.Token));
            while (seen.Count < 3 && await stream.ReadLineAsync(stop.Token) is { } line)
            {
                seen.Add(JsonNode.Parse(line)!["type"]!.GetValue<string>());
            }
        });

        await ApplyAsync(http, "/api/v1/namespaces/shop/configmaps/c", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"team":"shop"}}}""");
        await ApplyAsync(http, "/api/v1/namespaces/shop/configmaps/c", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"team":"other"}}}""");
        await ApplyAsync(http, "/api/v1/namespaces/shop/configmaps/c", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"team":"shop"}}}""");
        await watching;

        seen.ShouldBe(["ADDED", "DELETED", "ADDED"]);
    }

    [Fact]
    public async Task Deleting_an_owner_collects_its_dependents_and_finalizers_hold_an_object_until_removed()
    {
        await using var server = await KubernetesApiServer.StartAsync(simulate: true, namespaces: [Ns]);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        await ApplyAsync(http, "/apis/apps/v1/namespaces/shop/deployments/web", Deployment(selector: "web", template: "web"));
        await Eventually.WaitAsync(() => Task.FromResult(server.Store.List(ResourceType.Of("pods"), Ns).Items.Count == 2), "two pods");
        var owner = server.Store.Get(ResourceType.Of("deployments"), Ns, "web")!;
        await ApplyAsync(http, "/api/v1/namespaces/shop/configmaps/kept", $$$"""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kept","ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"{{{owner["metadata"]!["uid"]}}}"}]}}
            """);
        await ApplyAsync(http, "/api/v1/namespaces/shop/configmaps/held", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["example.com/hold"]}}""");

        (await http.DeleteAsync("/apis/apps/v1/namespaces/shop/deployments/web?propagationPolicy=Background")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var marked = await http.DeleteAsync("/api/v1/namespaces/shop/configmaps/held");

        server.Store.List(ResourceType.Of("replicasets"), Ns).Items.ShouldBeEmpty();
        server.Store.List(ResourceType.Of("pods"), Ns).Items.ShouldBeEmpty();
        server.Store.Get(ResourceType.Of("configmaps"), Ns, "kept").ShouldBeNull();
        JsonNode.Parse(await marked.Content.ReadAsStringAsync())!["metadata"]!["deletionTimestamp"].ShouldNotBeNull();
        server.Store.Get(ResourceType.Of("configmaps"), Ns, "held").ShouldNotBeNull();
        await ApplyAsync(http, "/api/v1/namespaces/shop/configmaps/held?fieldManager=controller", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":[]}}""");
        server.Store.Get(ResourceType.Of("configmaps"), Ns, "held").ShouldBeNull("the last finalizer went");

        await ApplyAsync(http, "/api/v1/namespaces/shop/configmaps/orphan", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"orphan"}}""");
        var parent = server.Store.Get(ResourceType.Of("configmaps"), Ns, "orphan")!;
        await ApplyAsync(http, "/api/v1/namespaces/shop/secrets/child", $$$"""
            {"apiVersion":"v1","kind":"Secret","metadata":{"name":"child","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"orphan","uid":"{{{parent["metadata"]!["uid"]}}}"}]}}
            """);
        (await http.DeleteAsync("/api/v1/namespaces/shop/configmaps/orphan?propagationPolicy=Orphan")).StatusCode.ShouldBe(HttpStatusCode.OK);
        server.Store.Get(ResourceType.Of("secrets"), Ns, "child")!["metadata"]!["ownerReferences"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task The_simulated_cluster_runs_as_its_own_process_that_kubectl_can_use()
    {
        await using var dir = new TempDirectory();
        await using var cluster = await SimulatedClusterProcess.StartAsync(dir.Combine("kube", "config"), Ns);
        await File.WriteAllTextAsync(dir.Combine("web.yaml"), $"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {"{"} name: web, namespace: {Ns} {"}"}
            spec:
              replicas: 2
              selector: {"{"} matchLabels: {"{"} app: web {"}"} {"}"}
              template:
                metadata: {"{"} labels: {"{"} app: web {"}"} {"}"}
                spec: {"{"} containers: [ {"{"} name: app, image: example.com/web:1 {"}"} ] {"}"}
            """);

        var apply = await Kubectl(cluster, "apply", "--server-side", "--validate=false", "-f", dir.Combine("web.yaml"));
        var rollout = await Kubectl(cluster, "rollout", "status", "deployment/web", "-n", Ns, "--timeout=30s");
        var resources = await Kubectl(cluster, "api-resources", "--api-group=apps");

        cluster.ReadyLine.ShouldBe($"simulated cluster serving at {cluster.Url}, kubeconfig {cluster.Kubeconfig}");
        apply.ShouldBe("deployment.apps/web serverside-applied\n");
        rollout.ShouldContain("deployment \"web\" successfully rolled out");
        resources.ShouldContain("deployments");
        (await cluster.StopAsync()).ShouldBe(0);
    }

    private static async Task<string> Kubectl(SimulatedClusterProcess cluster, params string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("--kubeconfig");
        info.ArgumentList.Add(cluster.Kubeconfig);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, error);
        return output;
    }

    private static string Widget(string spec) => $$$"""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{{{spec}}}}""";

    private static string Deployment(string selector, string template) => """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"SELECTOR"}},
          "template":{"metadata":{"labels":{"app":"TEMPLATE"}},"spec":{"containers":[{"name":"app","image":"example.com/web:1"}]}}}}
        """.Replace("SELECTOR", selector, StringComparison.Ordinal).Replace("TEMPLATE", template, StringComparison.Ordinal);

    private static async Task<HttpResponseMessage> ApplyAsync(HttpClient http, string path, string body)
    {
        var name = path.Split('?')[0].Split('/')[^1];
        var json = JsonNode.Parse(body)!;
        json["metadata"]!["name"] = name;
        var separator = path.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        var manager = path.Contains("fieldManager=", StringComparison.Ordinal) ? "" : "fieldManager=onward&";
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"{path}{separator}{manager}force=true") { Content = new StringContent(json.ToJsonString(), Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/apply-patch+yaml");
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static async Task<string> MessageAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>();

    private static async Task<JsonObject> JsonAsync(HttpClient http, string path) => (JsonObject)JsonNode.Parse(await http.GetStringAsync(path))!;

    private static JsonObject Resource(JsonObject list, string name) =>
        (JsonObject)list["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == name)!;
}
