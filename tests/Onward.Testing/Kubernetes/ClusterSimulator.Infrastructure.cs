using System.Globalization;
using System.Text.Json.Nodes;

namespace Onward.Testing.Kubernetes;

/// <summary>
/// What a cluster's other controllers report, so that verification has real statuses to judge: a cloud load balancer
/// for Services of type LoadBalancer, an ingress controller for Ingresses, a storage provisioner that binds claims,
/// the autoscaler's conditions and the disruption controller's observed generation.
/// </summary>
public sealed partial class ClusterSimulator
{
    private static readonly ResourceType Services = ResourceType.Of("services");
    private static readonly ResourceType Ingresses = ResourceType.Of("ingresses");
    private static readonly ResourceType Claims = ResourceType.Of("persistentvolumeclaims");
    private static readonly ResourceType Autoscalers = ResourceType.Known.First(t => t.Plural == "horizontalpodautoscalers");
    private static readonly ResourceType Budgets = ResourceType.Of("poddisruptionbudgets");

    private void ReconcileInfrastructure()
    {
        var balancer = new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["ip"] = "127.0.0.1" }) } };
        foreach (var service in _store.List(Services, null).Items.Where(s => Text(s, "spec", "type") == "LoadBalancer" && s["status"]?["loadBalancer"]?["ingress"] is null))
        {
            SetStatus(Services, service, _ => balancer.DeepClone());
        }
        foreach (var ingress in _store.List(Ingresses, null).Items.Where(i => i["status"]?["loadBalancer"]?["ingress"] is null))
        {
            SetStatus(Ingresses, ingress, _ => balancer.DeepClone());
        }
        foreach (var claim in _store.List(Claims, null).Items.Where(c => Text(c, "status", "phase") != "Bound"))
        {
            SetStatus(Claims, claim, c => new JsonObject
            {
                ["phase"] = "Bound",
                ["accessModes"] = c["spec"]?["accessModes"]?.DeepClone(),
                ["capacity"] = c["spec"]?["resources"]?["requests"]?.DeepClone(),
            });
        }
        foreach (var autoscaler in _store.List(Autoscalers, null).Items.Where(a => Number(a["status"]?["observedGeneration"]) != Number(a["metadata"]?["generation"])))
        {
            SetStatus(Autoscalers, autoscaler, a => new JsonObject
            {
                ["observedGeneration"] = Number(a["metadata"]?["generation"]),
                ["currentReplicas"] = a["spec"]?["minReplicas"]?.DeepClone() ?? 1,
                ["desiredReplicas"] = a["spec"]?["minReplicas"]?.DeepClone() ?? 1,
                ["conditions"] = new JsonArray(
                    new JsonObject { ["type"] = "AbleToScale", ["status"] = "True", ["reason"] = "ReadyForNewScale", ["message"] = "recommended size matches current size" },
                    new JsonObject { ["type"] = "ScalingActive", ["status"] = "True", ["reason"] = "ValidMetricFound", ["message"] = "the HPA was able to successfully calculate a replica count" }),
            });
        }
        foreach (var budget in _store.List(Budgets, null).Items.Where(b => Number(b["status"]?["observedGeneration"]) != Number(b["metadata"]?["generation"])))
        {
            SetStatus(Budgets, budget, b => new JsonObject
            {
                ["observedGeneration"] = Number(b["metadata"]?["generation"]),
                ["disruptionsAllowed"] = 1,
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "DisruptionAllowed",
                    ["status"] = "True",
                    ["reason"] = "SufficientPods",
                    ["lastTransitionTime"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                }),
            });
        }
    }

    private void SetStatus(ResourceType type, JsonObject item, Func<JsonObject, JsonNode> status) =>
        _store.Update(type, Text(item, "metadata", "namespace"), Text(item, "metadata", "name")!, current =>
        {
            if (current is not null)
            {
                current["status"] = status(current);
            }
            return current;
        });
}
