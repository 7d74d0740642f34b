using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Onward.Core.Configuration;
using Onward.Integrations.Registry;
using Onward.Core.Images;

namespace Onward.Testing.Kubernetes;

/// <summary>
/// The controllers and the kubelet of the test cluster, kept simple but faithful in what verification depends on.
/// Deployments roll out through ReplicaSets labelled with <c>pod-template-hash</c> (new Pods first, old ones removed
/// once the new are available) and report status as the deployment controller does, including
/// ProgressDeadlineExceeded. Pods fail the way kubelets make them fail: an image the registry does not have gives
/// ErrImagePull then ImagePullBackOff; a container whose env has <c>ONWARD_TEST_EXIT_CODE</c> gives CrashLoopBackOff
/// (with <c>ONWARD_TEST_OOM=1</c> the last termination is OOMKilled); requests beyond the node give Unschedulable.
/// <c>ONWARD_TEST_START_MS</c> delays readiness.
/// </summary>
public sealed partial class ClusterSimulator : IAsyncDisposable
{
    private const long NodeMemoryBytes = 8L * 1024 * 1024 * 1024;
    private static readonly ResourceType Deployments = ResourceType.Known.First(t => t.Plural == "deployments");
    private static readonly ResourceType ReplicaSets = ResourceType.Known.First(t => t.Plural == "replicasets");
    private static readonly ResourceType StatefulSets = ResourceType.Known.First(t => t.Plural == "statefulsets");
    private static readonly ResourceType DaemonSets = ResourceType.Known.First(t => t.Plural == "daemonsets");
    private static readonly ResourceType Pods = ResourceType.Known.First(t => t.Plural == "pods");
    private static readonly ResourceType Events = ResourceType.Known.First(t => t.Plural == "events");
    private static readonly ResourceType Secrets = ResourceType.Known.First(t => t.Plural == "secrets");
    private readonly ObjectStore _store;
    private static readonly ResourceType Jobs = ResourceType.Known.First(t => t.Plural == "jobs");
    private readonly Dictionary<string, RegistryClient> _registries = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Dictionary<string, bool> _images = [];

    /// <summary>Starts the controllers and the kubelet over <paramref name="store"/>; images in registries on loopback are pulled over plain HTTP.</summary>
    public ClusterSimulator(ObjectStore store)
    {
        _store = store;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>How often the controllers look at the cluster.</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromMilliseconds(25);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var registry in _registries.Values)
        {
            registry.Dispose();
        }
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            foreach (var deployment in _store.List(Deployments, null).Items)
            {
                ReconcileDeployment(deployment);
            }
            foreach (var set in _store.List(StatefulSets, null).Items)
            {
                ReconcileOneByOne(StatefulSets, set);
            }
            foreach (var set in _store.List(DaemonSets, null).Items)
            {
                ReconcileOneByOne(DaemonSets, set);
            }
            foreach (var job in _store.List(Jobs, null).Items)
            {
                ReconcileJob(job);
            }
            ReconcileInfrastructure();
            foreach (var pod in _store.List(Pods, null).Items)
            {
                await RunPodAsync(pod);
            }
            await Task.Delay(Tick, _stop.Token);
        }
    }

    private void ReconcileDeployment(JsonObject deployment)
    {
        var ns = Text(deployment, "metadata", "namespace")!;
        var name = Text(deployment, "metadata", "name")!;
        var desired = deployment["spec"]?["replicas"] is { } r ? Number(r) : 1;
        var template = deployment["spec"]?["template"] as JsonObject ?? new JsonObject();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(template.ToJsonString())))[..10];
        var owned = _store.List(ReplicaSets, ns, rs => Text(rs, "metadata", "annotations", "test.onward.dev/owner") == name).Items;
        var current = owned.FirstOrDefault(rs => Text(rs, "metadata", "labels", "pod-template-hash") == hash);
        var revision = owned.Select(rs => Number(rs["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"])).DefaultIfEmpty(0).Max();
        if (current is null)
        {
            revision++;
            var labels = (template["metadata"]?["labels"] as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
            labels["pod-template-hash"] = hash;
            current = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = $"{name}-{hash}",
                    ["labels"] = labels,
                    ["annotations"] = new JsonObject { ["deployment.kubernetes.io/revision"] = revision.ToString(CultureInfo.InvariantCulture), ["test.onward.dev/owner"] = name },
                    ["ownerReferences"] = OwnedBy(deployment),
                },
                ["spec"] = new JsonObject { ["replicas"] = desired, ["template"] = template.DeepClone() },
            };
            _store.Update(ReplicaSets, ns, $"{name}-{hash}", _ => Fresh(current, ReplicaSets, ns));
            _store.Update(Deployments, ns, name, d =>
            {
                d!["metadata"]!["annotations"] ??= new JsonObject();
                d["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"] = revision.ToString(CultureInfo.InvariantCulture);
                d["metadata"]!["annotations"]!["test.onward.dev/rollout-started"] = DateTimeOffset.UtcNow.ToString("O");
                d["metadata"]!["annotations"]!.AsObject().Remove("test.onward.dev/completed-at");
                d["metadata"]!["annotations"]!.AsObject().Remove("test.onward.dev/pod-failed-at");
                return d;
            });
        }
        else if (Number(current["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"]) < revision)
        {
            // Back to an older template (a rollback): its ReplicaSet becomes the newest revision again, as the
            // deployment controller does it.
            revision++;
            var next = revision.ToString(CultureInfo.InvariantCulture);
            _store.Update(ReplicaSets, ns, Text(current, "metadata", "name")!, rs =>
            {
                rs!["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"] = next;
                return rs;
            });
            _store.Update(Deployments, ns, name, d =>
            {
                d!["metadata"]!["annotations"] ??= new JsonObject();
                d["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"] = next;
                d["metadata"]!["annotations"]!["test.onward.dev/rollout-started"] = DateTimeOffset.UtcNow.ToString("O");
                d["metadata"]!["annotations"]!.AsObject().Remove("test.onward.dev/completed-at");
                return d;
            });
        }
        var currentName = Text(current, "metadata", "name")!;
        var pods = _store.List(Pods, ns, p => Text(p, "metadata", "annotations", "test.onward.dev/owner") == name).Items;
        var newPods = pods.Where(p => Text(p, "metadata", "labels", "pod-template-hash") == hash).ToList();
        var oldPods = pods.Except(newPods).ToList();
        for (var i = newPods.Count; i < desired; i++)
        {
            var podName = $"{currentName}-{Guid.NewGuid().ToString("N")[..5]}";
            var labels = (JsonObject)current["metadata"]!["labels"]!.DeepClone();
            var pod = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = podName,
                    ["labels"] = labels,
                    ["annotations"] = new JsonObject { ["test.onward.dev/owner"] = name, ["test.onward.dev/created"] = DateTimeOffset.UtcNow.ToString("O") },
                    ["ownerReferences"] = OwnedBy(current),
                },
                ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
            };
            _store.Update(Pods, ns, podName, _ => Fresh(pod, Pods, ns));
            newPods.Add(pod);
        }
        foreach (var extra in newPods.Skip((int)desired))
        {
            _store.Update(Pods, ns, Text(extra, "metadata", "name")!, _ => null);
        }
        var newAvailable = newPods.Take((int)desired).Count(IsReady);
        if (newAvailable >= desired)
        {
            // Surge rollout: the old Pods go once every new one is available.
            foreach (var old in oldPods)
            {
                _store.Update(Pods, ns, Text(old, "metadata", "name")!, _ => null);
            }
            oldPods.Clear();
        }
        var all = _store.List(Pods, ns, p => Text(p, "metadata", "annotations", "test.onward.dev/owner") == name).Items;
        var updated = all.Count(p => Text(p, "metadata", "labels", "pod-template-hash") == hash);
        var available = all.Count(IsReady);
        var started = DateTimeOffset.TryParse(Text(deployment, "metadata", "annotations", "test.onward.dev/rollout-started"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : DateTimeOffset.UtcNow;
        var deadline = deployment["spec"]?["progressDeadlineSeconds"] is { } seconds ? Number(seconds) : 600;
        var complete = updated == desired && all.Count == desired && available == desired;
        var reconciled = Number(deployment["metadata"]?["generation"]);
        var stuck = !complete && DateTimeOffset.UtcNow - started > TimeSpan.FromSeconds(deadline);
        _store.Update(Deployments, ns, name, d =>
        {
            if (d is null)
            {
                return null;
            }
            if (complete && Number(d["metadata"]?["generation"]) == reconciled && d["metadata"]?["annotations"]?["test.onward.dev/completed-at"] is null)
            {
                // When the controller first reported the rollout complete: what benchmarks measure detection from.
                d["metadata"]!["annotations"] ??= new JsonObject();
                d["metadata"]!["annotations"]!["test.onward.dev/completed-at"] = DateTimeOffset.UtcNow.ToString("O");
            }
            d["status"] = new JsonObject
            {
                // The generation this pass reconciled, not the one stored now: a spec applied meanwhile is not
                // observed yet, exactly as with the real deployment controller.
                ["observedGeneration"] = reconciled,
                ["replicas"] = all.Count,
                ["updatedReplicas"] = updated,
                ["readyReplicas"] = available,
                ["availableReplicas"] = available,
                ["unavailableReplicas"] = Math.Max(0, all.Count - available),
                ["conditions"] = new JsonArray(
                    new JsonObject
                    {
                        // Available as the deployment controller decides it: at most maxUnavailable (25%, rounded down) missing.
                        ["type"] = "Available",
                        ["status"] = available >= desired - desired / 4 ? "True" : "False",
                        ["reason"] = available >= desired - desired / 4 ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                        ["message"] = available >= desired - desired / 4 ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
                    },
                    new JsonObject
                    {
                        ["type"] = "Progressing",
                        ["status"] = stuck ? "False" : "True",
                        ["reason"] = stuck ? "ProgressDeadlineExceeded" : complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                        ["message"] = stuck ? $"ReplicaSet \"{currentName}\" has timed out progressing." : $"ReplicaSet \"{currentName}\" is progressing.",
                    }),
            };
            return d;
        });
    }

    /// <summary>
    /// StatefulSets (Pods NAME-0…N-1, replaced from the highest ordinal down, one at a time, each once the one before
    /// is ready, down to the partition) and DaemonSets (one Pod on the single node). Pods carry
    /// <c>controller-revision-hash</c>; status has the revisions and counts that <c>kubectl rollout status</c> reads.
    /// </summary>
    private void ReconcileOneByOne(ResourceType type, JsonObject set)
    {
        var ns = Text(set, "metadata", "namespace")!;
        var name = Text(set, "metadata", "name")!;
        var reconciled = Number(set["metadata"]?["generation"]);
        var daemon = type == DaemonSets;
        var replicas = daemon ? 1 : set["spec"]?["replicas"] is { } r ? Number(r) : 1;
        var partition = daemon ? 0 : Number(set["spec"]?["updateStrategy"]?["rollingUpdate"]?["partition"]);
        var template = set["spec"]?["template"] as JsonObject ?? new JsonObject();
        var revision = $"{name}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(template.ToJsonString())))[..10]}";
        var pods = _store.List(Pods, ns, p => Text(p, "metadata", "annotations", "test.onward.dev/owner") == name).Items
            .ToDictionary(p => Text(p, "metadata", "name")!);
        JsonObject NewPod(string podName) => Fresh(new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = podName,
                ["labels"] = Labels(template, revision),
                ["annotations"] = new JsonObject { ["test.onward.dev/owner"] = name, ["test.onward.dev/created"] = DateTimeOffset.UtcNow.ToString("O") },
                ["ownerReferences"] = OwnedBy(set),
            },
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        }, Pods, ns);
        var names = daemon ? new List<string> { $"{name}-node1" } : Enumerable.Range(0, (int)replicas).Select(i => $"{name}-{i}").ToList();
        foreach (var podName in names.Where(n => !pods.ContainsKey(n)))
        {
            _store.Update(Pods, ns, podName, _ => NewPod(podName));
        }
        foreach (var extra in pods.Keys.Except(names))
        {
            _store.Update(Pods, ns, extra, _ => null);
        }
        // One at a time from the highest ordinal: replace the first outdated Pod only when all others are ready.
        var outdated = names.Where((n, i) => i >= partition && pods.TryGetValue(n, out var p) && Text(p, "metadata", "labels", "controller-revision-hash") != revision)
            .Reverse().FirstOrDefault();
        if (outdated is not null && names.Where(n => n != outdated).All(n => pods.TryGetValue(n, out var p) && IsReady(p)))
        {
            _store.Update(Pods, ns, outdated, _ => NewPod(outdated));
        }
        var current = _store.List(Pods, ns, p => Text(p, "metadata", "annotations", "test.onward.dev/owner") == name).Items;
        var updated = current.Count(p => Text(p, "metadata", "labels", "controller-revision-hash") == revision);
        var ready = current.Count(IsReady);
        _store.Update(type, ns, name, d =>
        {
            if (d is null)
            {
                return null;
            }
            var previous = Text(d, "status", "currentRevision") ?? revision;
            var currentRevision = updated == replicas && ready == replicas ? revision : previous;
            d["status"] = daemon
                ? new JsonObject
                {
                    ["observedGeneration"] = reconciled,
                    ["desiredNumberScheduled"] = 1,
                    ["currentNumberScheduled"] = current.Count,
                    ["updatedNumberScheduled"] = updated,
                    ["numberReady"] = ready,
                    ["numberAvailable"] = ready,
                    ["numberMisscheduled"] = 0,
                }
                : new JsonObject
                {
                    ["observedGeneration"] = reconciled,
                    ["replicas"] = current.Count,
                    ["readyReplicas"] = ready,
                    ["availableReplicas"] = ready,
                    ["updatedReplicas"] = updated,
                    ["currentReplicas"] = current.Count(p => Text(p, "metadata", "labels", "controller-revision-hash") == currentRevision),
                    ["updateRevision"] = revision,
                    ["currentRevision"] = currentRevision,
                };
            return d;
        });
    }

    private static JsonObject Labels(JsonObject template, string revision)
    {
        var labels = (template["metadata"]?["labels"] as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
        labels["controller-revision-hash"] = revision;
        return labels;
    }

    private async Task RunPodAsync(JsonObject pod)
    {
        var ns = Text(pod, "metadata", "namespace")!;
        var name = Text(pod, "metadata", "name")!;
        var created = DateTimeOffset.Parse(Text(pod, "metadata", "annotations", "test.onward.dev/created") ?? DateTimeOffset.UtcNow.ToString("O"), CultureInfo.InvariantCulture);
        var age = DateTimeOffset.UtcNow - created;
        var containers = pod["spec"]?["containers"]?.AsArray().Select(c => (JsonObject)c!).ToList() ?? [];
        var requested = containers.Sum(c => Memory(Text(c, "resources", "requests", "memory")));
        JsonObject status;
        if (requested > NodeMemoryBytes)
        {
            status = PodStatus("Pending", ready: false, [], scheduled: false, unschedulable: "0/1 nodes are available: 1 Insufficient memory.", since: created);
        }
        else
        {
            var statuses = new JsonArray();
            var allReady = true;
            var restartPolicy = Text(pod, "spec", "restartPolicy") ?? "Always";
            foreach (var container in containers)
            {
                var containerStatus = await ContainerAsync(container, age, restartPolicy);
                allReady &= containerStatus["ready"]!.GetValue<bool>();
                statuses.Add(containerStatus);
            }
            var exits = statuses.Select(c => c!["state"]?["terminated"]?["exitCode"]).ToList();
            var phase = exits.Count > 0 && exits.All(e => e is not null) ? (exits.All(e => e!.GetValue<int>() == 0) ? "Succeeded" : "Failed")
                : allReady || statuses.Any(c => c!["state"]?["running"] is not null || c["lastState"]?["terminated"] is not null) ? "Running"
                : "Pending";
            status = PodStatus(phase, allReady, statuses, scheduled: true, unschedulable: null, since: created);
            var log = string.Join('\n', containers.Select(c => $"starting {Text(c, "image")}\n" + Printed(c, ns) + (Env(c, "ONWARD_TEST_EXIT_CODE") is { } code
                ? $"fatal: cannot start, exiting with {code}"
                : Env(c, "ONWARD_TEST_RUN_MS") is not null ? "done" : "listening")));
            pod["metadata"]!["annotations"]!["test.onward.dev/log"] = log;
        }
        _store.Update(Pods, ns, name, current =>
        {
            if (current is null)
            {
                return null;
            }
            current["status"] = status;
            current["metadata"]!["annotations"]!["test.onward.dev/log"] = pod["metadata"]!["annotations"]!["test.onward.dev/log"]?.DeepClone();
            var fatal = (status["containerStatuses"] as JsonArray ?? []).Any(c => Text(c, "state", "waiting", "reason") is "ErrImagePull" or "ImagePullBackOff" or "CrashLoopBackOff");
            if (fatal && current["metadata"]!["annotations"]!["test.onward.dev/failed-at"] is null)
            {
                current["metadata"]!["annotations"]!["test.onward.dev/failed-at"] = DateTimeOffset.UtcNow.ToString("O");
            }
            return current;
        });
        var owner = Text(pod, "metadata", "annotations", "test.onward.dev/owner");
        if (owner is not null && (status["containerStatuses"] as JsonArray ?? []).Any(c => Text(c, "state", "waiting", "reason") is "ErrImagePull" or "ImagePullBackOff" or "CrashLoopBackOff"))
        {
            // When a Pod of the rollout first failed for good: what benchmarks measure failure detection from.
            _store.Update(Deployments, ns, owner, d =>
            {
                if (d?["metadata"]?["annotations"] is JsonObject annotations && annotations["test.onward.dev/pod-failed-at"] is null)
                {
                    annotations["test.onward.dev/pod-failed-at"] = DateTimeOffset.UtcNow.ToString("O");
                }
                return d;
            });
        }
        if (status["containerStatuses"] is JsonArray list && list.FirstOrDefault(s => s!["state"]?["waiting"] is not null) is { } waiting)
        {
            var reason = Text(waiting, "state", "waiting", "reason")!;
            _store.Update(Events, ns, $"{name}.{reason.ToLowerInvariant()}", e => e ?? Fresh(new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = $"{name}.{reason.ToLowerInvariant()}" },
                ["involvedObject"] = new JsonObject { ["kind"] = "Pod", ["name"] = name, ["namespace"] = ns },
                ["reason"] = reason == "CrashLoopBackOff" ? "BackOff" : "Failed",
                ["message"] = Text(waiting, "state", "waiting", "message"),
                ["type"] = "Warning",
                ["lastTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            }, Events, ns));
        }
    }

    /// <summary>
    /// One container as the kubelet reports it. <c>ONWARD_TEST_EXIT_CODE</c> makes it exit with that code (restarted
    /// into CrashLoopBackOff unless the Pod's restartPolicy is Never); <c>ONWARD_TEST_RUN_MS</c> makes it finish with 0
    /// after that long (a Job's work).
    /// </summary>
    private async Task<JsonObject> ContainerAsync(JsonObject container, TimeSpan age, string restartPolicy)
    {
        var name = Text(container, "name") ?? "app";
        var image = Text(container, "image") ?? "";
        var startMs = Env(container, "ONWARD_TEST_START_MS") is { } ms ? int.Parse(ms, CultureInfo.InvariantCulture) : 100;
        JsonObject Status(JsonObject state, bool ready, int restarts, JsonObject? lastState = null) => new()
        {
            ["name"] = name,
            ["image"] = image,
            ["ready"] = ready,
            ["restartCount"] = restarts,
            ["state"] = state,
            ["lastState"] = lastState ?? new JsonObject(),
        };
        if (!await ImageExistsAsync(image))
        {
            var reason = age < TimeSpan.FromMilliseconds(500) ? "ErrImagePull" : "ImagePullBackOff";
            return Status(new JsonObject { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = $"Back-off pulling image \"{image}\": not found" } }, false, 0);
        }
        if (Env(container, "ONWARD_TEST_EXIT_CODE") is { } exit && restartPolicy == "Never" && age.TotalMilliseconds >= startMs)
        {
            return Status(new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = int.Parse(exit, CultureInfo.InvariantCulture), ["reason"] = "Error" } }, false, 0);
        }
        if (Env(container, "ONWARD_TEST_RUN_MS") is { } run && restartPolicy != "Always" && age.TotalMilliseconds >= startMs + int.Parse(run, CultureInfo.InvariantCulture))
        {
            return Status(new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = 0, ["reason"] = "Completed" } }, false, 0);
        }
        if (Env(container, "ONWARD_TEST_EXIT_CODE") is { } code)
        {
            var restarts = (int)(age.TotalMilliseconds / 200);
            var oom = Env(container, "ONWARD_TEST_OOM") == "1";
            var terminated = new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = oom ? 137 : int.Parse(code, CultureInfo.InvariantCulture), ["reason"] = oom ? "OOMKilled" : "Error" } };
            return restarts == 0
                ? Status(new JsonObject { ["running"] = new JsonObject() }, false, 0)
                : Status(new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "CrashLoopBackOff", ["message"] = $"back-off restarting failed container {name}" } }, false, restarts, terminated);
        }
        return age.TotalMilliseconds >= startMs
            ? Status(new JsonObject { ["running"] = new JsonObject() }, true, 0)
            : Status(new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } }, false, 0);
    }

    /// <summary>Images in loopback registries are looked up for real; others are assumed present.</summary>
    private async Task<bool> ImageExistsAsync(string image)
    {
        if (!image.StartsWith("127.0.0.1:", StringComparison.Ordinal))
        {
            return true;
        }
        if (_images.TryGetValue(image, out var known))
        {
            return known;
        }
        bool exists;
        try
        {
            var reference = ImageReference.Parse(image);
            if (!_registries.TryGetValue(reference.Registry, out var registry))
            {
                registry = new RegistryClient([new RegistryConfig(reference.Registry, true, null, null, null)]);
                _registries[reference.Registry] = registry;
            }
            exists = await registry.ResolveDigestAsync(reference, _stop.Token) is not null;
        }
        catch (Exception e) when (e is RegistryException or FormatException)
        {
            exists = false;
        }
        return _images[image] = exists;
    }

    private static JsonObject PodStatus(string phase, bool ready, JsonArray containers, bool scheduled, string? unschedulable, DateTimeOffset since) => new()
    {
        ["phase"] = phase,
        ["conditions"] = new JsonArray(
            new JsonObject
            {
                ["type"] = "PodScheduled",
                ["status"] = scheduled ? "True" : "False",
                ["reason"] = unschedulable is null ? null : "Unschedulable",
                ["message"] = unschedulable,
                ["lastTransitionTime"] = since.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            },
            new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" }),
        ["containerStatuses"] = containers,
    };

    private static bool IsReady(JsonObject pod) =>
        pod["status"]?["conditions"]?.AsArray().Any(c => Text(c, "type") == "Ready" && Text(c, "status") == "True") == true;

    /// <summary>An <c>ownerReferences</c> list naming <paramref name="owner"/> as the controller, for garbage collection.</summary>
    private static JsonArray OwnedBy(JsonObject owner) => new(new JsonObject
    {
        ["apiVersion"] = owner["apiVersion"]?.DeepClone(),
        ["kind"] = owner["kind"]?.DeepClone(),
        ["name"] = owner["metadata"]?["name"]?.DeepClone(),
        ["uid"] = owner["metadata"]?["uid"]?.DeepClone(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    });

    private static JsonObject Fresh(JsonObject o, ResourceType type, string ns)
    {
        o["kind"] = type.Kind;
        o["apiVersion"] = type.ApiVersion;
        o["metadata"]!["namespace"] = ns;
        o["metadata"]!["uid"] = Guid.NewGuid().ToString();
        o["metadata"]!["creationTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
        o["metadata"]!["generation"] = 1L;
        return o;
    }

    /// <summary>
    /// A container that prints its settings when it starts, as many do: each variable named ONWARD_TEST_PRINT_* as
    /// NAME=value, its value resolved as the kubelet does (literal, or a Secret's key through secretKeyRef).
    /// </summary>
    private string Printed(JsonObject container, string ns) => string.Concat((container["env"] as JsonArray ?? []).OfType<JsonObject>()
        .Where(e => Text(e, "name")?.StartsWith("ONWARD_TEST_PRINT", StringComparison.Ordinal) == true)
        .Select(e =>
        {
            var value = Text(e, "value");
            if (e["valueFrom"]?["secretKeyRef"] is JsonObject reference
                && _store.Get(Secrets, ns, Text(reference, "name") ?? "")?["data"]?[Text(reference, "key") ?? ""] is JsonValue encoded)
            {
                value = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded.ToString()));
            }
            return $"{Text(e, "name")}={value}\n";
        }));

    private static string? Env(JsonObject container, string name) =>
        container["env"]?.AsArray().FirstOrDefault(e => Text(e, "name") == name) is { } entry ? Text(entry, "value") : null;

    private static long Memory(string? quantity)
    {
        if (string.IsNullOrEmpty(quantity))
        {
            return 0;
        }
        var units = new (string Suffix, long Factor)[] { ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40), ("K", 1000), ("M", 1_000_000), ("G", 1_000_000_000) };
        foreach (var (suffix, factor) in units)
        {
            if (quantity.EndsWith(suffix, StringComparison.Ordinal))
            {
                return (long)(double.Parse(quantity[..^suffix.Length], CultureInfo.InvariantCulture) * factor);
            }
        }
        return long.Parse(quantity, CultureInfo.InvariantCulture);
    }

    private static long Number(JsonNode? node) => node is null ? 0 : long.Parse(node.ToJsonString().Trim('"'), CultureInfo.InvariantCulture);

    private static string? Text(JsonNode? node, params string[] path)
    {
        foreach (var step in path)
        {
            node = node is JsonObject o ? o[step] : null;
        }
        return node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    }
}
