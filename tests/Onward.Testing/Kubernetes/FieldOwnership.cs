using System.Text.Json.Nodes;

namespace Onward.Testing.Kubernetes;

/// <summary>
/// Server-side apply's field ownership (https://kubernetes.io/docs/reference/using-api/server-side-apply/), kept to
/// what changes an outcome: every manager owns the fields it set, kept in <c>metadata.managedFields</c> as
/// <c>fieldsV1</c>; an apply conflicts on a field another manager owns with a different value unless forced (then the
/// field changes hands); a field an applier set before and leaves out now is removed when nobody else owns it; an
/// update takes the fields it changed. Lists count as one field (atomic), as lists without merge keys do.
/// </summary>
public static class FieldOwnership
{
    /// <summary>Applies <paramref name="applied"/> over <paramref name="live"/> (null: a new object) for <paramref name="manager"/>.</summary>
    /// <returns>The new object, or the managers in conflict when the apply is not forced.</returns>
    public static (JsonObject? Result, List<string> Conflicts) Apply(JsonObject? live, JsonObject applied, string manager, bool force)
    {
        var fields = Leaves(applied);
        if (live is null)
        {
            var created = (JsonObject)applied.DeepClone();
            SetManaged(created, [new Entry(manager, "Apply", fields, Text(applied["apiVersion"]))]);
            return (created, []);
        }
        var entries = Read(live);
        var conflicts = new List<string>();
        foreach (var other in entries.Where(e => e.Manager != manager || e.Operation != "Apply"))
        {
            var contested = other.Fields.Where(f => fields.Contains(f) && !JsonNode.DeepEquals(At(live, f), At(applied, f))).ToList();
            if (contested.Count == 0)
            {
                continue;
            }
            if (!force)
            {
                conflicts.AddRange(contested.Select(f => $"conflict with \"{other.Manager}\"{(other.Operation == "Update" ? " using " + Text(applied["apiVersion"]) : "")}: .{f}"));
                continue;
            }
            other.Fields.ExceptWith(contested);
        }
        if (conflicts.Count > 0)
        {
            return (null, conflicts);
        }
        var mine = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Apply");
        var result = (JsonObject)live.DeepClone();
        if (mine is not null)
        {
            var ownedByOthers = entries.Where(e => e != mine).SelectMany(e => e.Fields).ToHashSet(StringComparer.Ordinal);
            foreach (var dropped in mine.Fields.Where(f => !fields.Contains(f) && !ownedByOthers.Contains(f)))
            {
                Remove(result, dropped);
            }
            entries.Remove(mine);
        }
        foreach (var field in fields)
        {
            Set(result, field, At(applied, field)!.DeepClone());
        }
        entries.Add(new Entry(manager, "Apply", fields, Text(applied["apiVersion"])));
        SetManaged(result, entries.Where(e => e.Fields.Count > 0).ToList());
        return (result, []);
    }

    /// <summary>Records an update (PUT or a non-apply PATCH) by <paramref name="manager"/>: the fields it changed become its own.</summary>
    public static JsonObject Update(JsonObject? before, JsonObject after, string manager)
    {
        var entries = before is null ? [] : Read(before);
        var changed = Leaves(after).Where(f => before is null || !JsonNode.DeepEquals(At(before, f), At(after, f))).ToHashSet(StringComparer.Ordinal);
        if (changed.Count == 0)
        {
            SetManaged(after, entries);
            return after;
        }
        foreach (var entry in entries)
        {
            entry.Fields.ExceptWith(changed);
        }
        var mine = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Update");
        if (mine is null)
        {
            entries.Add(new Entry(manager, "Update", changed, Text(after["apiVersion"])));
        }
        else
        {
            mine.Fields.UnionWith(changed);
        }
        SetManaged(after, entries.Where(e => e.Fields.Count > 0).ToList());
        return after;
    }

    /// <summary>The field paths an object sets: maps are walked, lists and scalars are leaves; identity fields are not counted.</summary>
    public static HashSet<string> Leaves(JsonObject o)
    {
        var leaves = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in o)
        {
            if (key is "apiVersion" or "kind" or "status")
            {
                continue;
            }
            if (key == "metadata" && value is JsonObject metadata)
            {
                foreach (var part in new[] { "labels", "annotations", "ownerReferences", "finalizers" })
                {
                    if (metadata[part] is JsonObject map)
                    {
                        Walk(map, $"metadata.{part}", leaves);
                    }
                    else if (metadata[part] is not null)
                    {
                        leaves.Add($"metadata.{part}");
                    }
                }
                continue;
            }
            if (value is JsonObject child)
            {
                Walk(child, key, leaves);
            }
            else
            {
                leaves.Add(key);
            }
        }
        return leaves;
    }

    private static void Walk(JsonObject map, string path, HashSet<string> leaves)
    {
        if (map.Count == 0)
        {
            leaves.Add(path);
        }
        foreach (var (key, value) in map)
        {
            var child = $"{path}.{Escape(key)}";
            if (value is JsonObject inner)
            {
                Walk(inner, child, leaves);
            }
            else
            {
                leaves.Add(child);
            }
        }
    }

    // Keys such as "app.kubernetes.io/name" hold dots; inside a path they are written with "\u0001" in their place.
    private static string Escape(string key) => key.Replace(".", "\u0001", StringComparison.Ordinal);

    private static string[] Steps(string path) => path.Split('.').Select(s => s.Replace("\u0001", ".", StringComparison.Ordinal)).ToArray();

    private static JsonNode? At(JsonObject o, string path)
    {
        JsonNode? node = o;
        foreach (var step in Steps(path))
        {
            node = node is JsonObject map ? map[step] : null;
        }
        return node;
    }

    private static void Set(JsonObject o, string path, JsonNode value)
    {
        var steps = Steps(path);
        var node = o;
        foreach (var step in steps[..^1])
        {
            if (node[step] is not JsonObject next)
            {
                next = new JsonObject();
                node[step] = next;
            }
            node = next;
        }
        node[steps[^1]] = value;
    }

    /// <summary>Removes a field, and the maps that held only it.</summary>
    private static void Remove(JsonObject o, string path)
    {
        var steps = Steps(path);
        var chain = new List<JsonObject> { o };
        foreach (var step in steps[..^1])
        {
            if (chain[^1][step] is not JsonObject next)
            {
                return;
            }
            chain.Add(next);
        }
        chain[^1].Remove(steps[^1]);
        for (var i = chain.Count - 1; i > 0 && chain[i].Count == 0; i--)
        {
            chain[i - 1].Remove(steps[i - 1]);
        }
    }

    private sealed record Entry(string Manager, string Operation, HashSet<string> Fields, string? ApiVersion);

    private static List<Entry> Read(JsonObject o) =>
        (o["metadata"]?["managedFields"] as JsonArray ?? []).OfType<JsonObject>().Select(f => new Entry(
            Text(f["manager"]) ?? "",
            Text(f["operation"]) ?? "Update",
            FromFieldsV1(f["fieldsV1"] as JsonObject),
            Text(f["apiVersion"]))).ToList();

    private static void SetManaged(JsonObject o, List<Entry> entries)
    {
        if (o["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            o["metadata"] = metadata;
        }
        metadata["managedFields"] = new JsonArray(entries.Select(e => (JsonNode)new JsonObject
        {
            ["manager"] = e.Manager,
            ["operation"] = e.Operation,
            ["apiVersion"] = e.ApiVersion,
            ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = ToFieldsV1(e.Fields),
        }).ToArray());
    }

    /// <summary>The <c>fieldsV1</c> form: nested maps with <c>f:</c> before every field name, <c>{}</c> at the leaves.</summary>
    private static JsonObject ToFieldsV1(HashSet<string> fields)
    {
        var root = new JsonObject();
        foreach (var field in fields.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var step in Steps(field))
            {
                if (node["f:" + step] is not JsonObject next)
                {
                    next = new JsonObject();
                    node["f:" + step] = next;
                }
                node = next;
            }
        }
        return root;
    }

    private static HashSet<string> FromFieldsV1(JsonObject? fields)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        void Visit(JsonObject node, string prefix)
        {
            var children = node.Where(p => p.Key.StartsWith("f:", StringComparison.Ordinal)).ToList();
            if (children.Count == 0 && prefix.Length > 0)
            {
                paths.Add(prefix);
            }
            foreach (var (key, value) in children)
            {
                var path = (prefix.Length == 0 ? "" : prefix + ".") + Escape(key[2..]);
                if (value is JsonObject inner)
                {
                    Visit(inner, path);
                }
            }
        }
        if (fields is not null)
        {
            Visit(fields, "");
        }
        return paths;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
