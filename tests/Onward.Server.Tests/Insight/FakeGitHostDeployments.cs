using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Onward.Testing;

namespace Onward.Server.Tests.Insight;

/// <summary>
/// The deployments API of GitHub or GitLab, as their REST documentation describes it, answering a
/// <see cref="HookReceiver"/>'s requests under <c>/api</c>: it checks each request's path, authentication, required
/// fields and allowed states, refuses what the host would refuse (with the host's status), keeps the deployments it
/// made and the states each went through.
/// </summary>
public sealed partial class FakeGitHostDeployments
{
    private static readonly HashSet<string> GitHubStates = ["error", "failure", "inactive", "in_progress", "queued", "pending", "success"];
    private static readonly HashSet<string> GitLabStates = ["running", "success", "failed", "canceled"];

    private readonly string _host;
    private readonly string _auth;
    private readonly Dictionary<long, Made> _made = [];
    private long _next = 1000;
    private int _lose;

    /// <summary>A deployment the host made: its environment, commit, ref and the states it was given, in order.</summary>
    public sealed record Made(long Id, string Environment, string Sha, string Ref, bool? Tag, List<string> States)
    {
        public DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow;

        /// <summary>GitHub: the deployment's <c>payload</c>, as JSON.</summary>
        public string? Payload { get; init; }
    }

    /// <param name="host"><c>github</c> or <c>gitlab</c>.</param>
    public FakeGitHostDeployments(HookReceiver receiver, string host, string token)
    {
        _host = host;
        _auth = host == "github" ? $"Bearer {token}" : token;
        receiver.Respond(Answer);
    }

    /// <summary>How many times the deployments were listed.</summary>
    public int Lookups { get; private set; }

    /// <summary>What a request was refused for (the test shows them when it fails).</summary>
    public List<string> Refusals { get; } = [];

    public IReadOnlyList<Made> Deployments
    {
        get
        {
            lock (_made)
            {
                return _made.Values.Select(m => m with { States = [.. m.States] }).OrderBy(m => m.Id).ToList();
            }
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> deployments asked for are made, and their answers lost: a 502 as from a proxy
    /// whose upstream answered too late.
    /// </summary>
    public void LoseAnswers(int count)
    {
        lock (_made)
        {
            _lose += count;
        }
    }

    private (int, string)? Answer(HookReceiver.Received request)
    {
        var q = request.Path.IndexOf('?', StringComparison.Ordinal);
        var query = q >= 0 ? System.Web.HttpUtility.ParseQueryString(request.Path[q..]) : [];
        var plainPath = q >= 0 ? request.Path[..q] : request.Path;
        var github = GitHubPath().Match(plainPath);
        var gitlab = GitLabPath().Match(plainPath);
        if (_host == "github" ? !github.Success : !gitlab.Success)
        {
            return null; // commit statuses and anything else: the receiver's plain 200
        }
        var authHeader = _host == "github" ? "Authorization" : "PRIVATE-TOKEN";
        if (!request.Headers.TryGetValue(authHeader, out var auth) || auth != _auth)
        {
            return Refuse(401, "Bad credentials");
        }
        if (request.Method == "GET")
        {
            lock (_made)
            {
                return List(_host == "github" ? github : gitlab, query);
            }
        }
        JsonObject body;
        try
        {
            body = request.Json.AsObject();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            return Refuse(400, "Problems parsing JSON");
        }
        lock (_made)
        {
            return _host == "github" ? GitHub(request.Method, github, body) : GitLab(request.Method, gitlab, body);
        }
    }

    private (int, string) GitHub(string method, Match path, JsonObject body)
    {
        if (method != "POST")
        {
            return Refuse(404, "Not Found");
        }
        if (!path.Groups["id"].Success)
        {
            // POST /repos/{owner}/{repo}/deployments: ref required; required_contexts defaults to every context of the
            // commit, so a deployment asked for while the commit has pending statuses is refused with 409.
            if (Text(body, "ref") is not { Length: > 0 } gitRef)
            {
                return Refuse(422, "Validation Failed: ref is missing");
            }
            if (body["required_contexts"] is not JsonArray)
            {
                return Refuse(409, "Conflict: Commit status checks failed for " + gitRef);
            }
            if (body["auto_merge"] is not JsonValue merge || merge.GetValue<bool>())
            {
                return Refuse(409, "Conflict merging main into " + gitRef);
            }
            if (Text(body, "description") is { Length: > 140 })
            {
                return Refuse(422, "Validation Failed: description is too long");
            }
            var made = new Made(++_next, Text(body, "environment") ?? "production", gitRef, gitRef, null, []) { Payload = body["payload"]?.ToJsonString() };
            _made[made.Id] = made;
            if (Lost())
            {
                return (502, "Bad Gateway");
            }
            return (201, new JsonObject { ["id"] = made.Id, ["sha"] = made.Sha, ["ref"] = made.Ref, ["environment"] = made.Environment, ["payload"] = body["payload"]?.DeepClone() }.ToJsonString());
        }
        // POST /repos/{owner}/{repo}/deployments/{id}/statuses
        if (!_made.TryGetValue(long.Parse(path.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture), out var deployment))
        {
            return Refuse(404, "Not Found");
        }
        if (Text(body, "state") is not { } state || !GitHubStates.Contains(state))
        {
            return Refuse(422, "Validation Failed: state is not included in the list");
        }
        if (Text(body, "description") is { Length: > 140 })
        {
            return Refuse(422, "Validation Failed: description is too long (maximum is 140 characters)");
        }
        if (Text(body, "log_url") is { } log && !Uri.TryCreate(log, UriKind.Absolute, out _))
        {
            return Refuse(422, "Validation Failed: log_url is not a URL");
        }
        deployment.States.Add(state);
        return (201, new JsonObject { ["id"] = deployment.States.Count, ["state"] = state, ["environment"] = deployment.Environment }.ToJsonString());
    }

    private (int, string) GitLab(string method, Match path, JsonObject body)
    {
        var state = Text(body, "status");
        if (state is null || !GitLabStates.Contains(state))
        {
            return Refuse(400, "status does not have a valid value");
        }
        if (method == "POST" && !path.Groups["id"].Success)
        {
            // POST /projects/:id/deployments: environment, sha, ref, tag and status required
            foreach (var field in new[] { "environment", "sha", "ref" })
            {
                if (Text(body, field) is not { Length: > 0 })
                {
                    return Refuse(400, field + " is missing");
                }
            }
            if (body["tag"] is not JsonValue tag || tag.GetValueKind() is not (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False))
            {
                return Refuse(400, "tag is missing");
            }
            var made = new Made(++_next, Text(body, "environment")!, Text(body, "sha")!, Text(body, "ref")!, tag.GetValue<bool>(), [state]);
            _made[made.Id] = made;
            if (Lost())
            {
                return (502, "Bad Gateway");
            }
            return (201, new JsonObject { ["id"] = made.Id, ["iid"] = _made.Count, ["ref"] = made.Ref, ["sha"] = made.Sha, ["status"] = state }.ToJsonString());
        }
        if (method == "PUT" && path.Groups["id"].Success)
        {
            // PUT /projects/:id/deployments/:deployment_id
            if (!_made.TryGetValue(long.Parse(path.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture), out var deployment))
            {
                return Refuse(404, "404 Not found");
            }
            deployment.States.Add(state);
            return (200, new JsonObject { ["id"] = deployment.Id, ["status"] = state }.ToJsonString());
        }
        return Refuse(405, "405 Method Not Allowed");
    }

    private bool Lost()
    {
        if (_lose == 0)
        {
            return false;
        }
        _lose--;
        return true;
    }

    /// <summary>
    /// GitHub's <c>GET /repos/{owner}/{repo}/deployments</c> (filters sha, ref, environment; newest first; each with its
    /// payload) and GitLab's <c>GET /projects/:id/deployments</c> (filters environment, updated_after as ISO 8601, which
    /// GitLab refuses unless paired with order_by=updated_at; sort asc by default; no payload).
    /// </summary>
    private (int, string) List(Match path, System.Collections.Specialized.NameValueCollection query)
    {
        Lookups++;
        if (path.Groups["id"].Success)
        {
            return Refuse(404, "Not Found");
        }
        IEnumerable<Made> found = _made.Values;
        if (query["environment"] is { } environment)
        {
            found = found.Where(m => m.Environment == environment);
        }
        if (_host == "github")
        {
            if (query["sha"] is { } sha)
            {
                found = found.Where(m => m.Sha == sha);
            }
            var github = new JsonArray([.. found.OrderByDescending(m => m.Id).Select(m => (JsonNode)new JsonObject
            {
                ["id"] = m.Id, ["sha"] = m.Sha, ["ref"] = m.Ref, ["environment"] = m.Environment, ["payload"] = m.Payload is null ? new JsonObject() : JsonNode.Parse(m.Payload),
                ["created_at"] = m.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            })]);
            return (200, github.ToJsonString());
        }
        if (query["updated_after"] is { } after)
        {
            if (query["order_by"] != "updated_at")
            {
                return Refuse(400, "`updated_at` filter and `updated_at` sorting must be paired");
            }
            if (!DateTimeOffset.TryParse(after, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var since))
            {
                return Refuse(400, "updated_after is invalid");
            }
            found = found.Where(m => m.CreatedAt > since);
        }
        var ordered = query["sort"] == "desc" ? found.OrderByDescending(m => m.Id) : found.OrderBy(m => m.Id);
        var gitlab = new JsonArray([.. ordered.Select(m => (JsonNode)new JsonObject
        {
            ["id"] = m.Id, ["sha"] = m.Sha, ["ref"] = m.Ref, ["status"] = m.States[^1], ["environment"] = new JsonObject { ["name"] = m.Environment },
            ["created_at"] = m.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        })]);
        return (200, gitlab.ToJsonString());
    }

    private (int, string) Refuse(int status, string message)
    {
        Refusals.Add($"{status} {message}");
        return (status, new JsonObject { ["message"] = message }.ToJsonString());
    }

    private static string? Text(JsonObject body, string field) =>
        body[field] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : null;

    [GeneratedRegex("^/api/repos/acme/shop/deployments(/(?<id>[0-9]+)/statuses)?$")]
    private static partial Regex GitHubPath();

    [GeneratedRegex("^/api/projects/acme%2Fshop/deployments(/(?<id>[0-9]+))?$")]
    private static partial Regex GitLabPath();
}
