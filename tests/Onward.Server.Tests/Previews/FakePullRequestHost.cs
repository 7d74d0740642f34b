using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Onward.Testing;

namespace Onward.Server.Tests.Previews;

/// <summary>
/// The parts of GitHub's, Gitea's (the same paths) or GitLab's REST API a preview uses, answering a <see cref="HookReceiver"/>'s requests under
/// <c>/api</c> for the repository <c>acme/shop</c>: the open pull requests (which the test sets), each one's comments
/// (GitLab: notes), made and edited, and the deployments with their states. It checks the token and keeps everything it
/// was told.
/// </summary>
public sealed partial class FakePullRequestHost
{
    private readonly string _host;
    private readonly string _auth;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, (string Branch, string Sha)> _open = [];
    private readonly List<Comment> _comments = [];
    private readonly List<Deployment> _deployments = [];
    private long _next = 5000;

    /// <summary>A comment on a pull request: whose, and each text it had, in order.</summary>
    public sealed record Comment(long Id, long Number, List<string> Bodies)
    {
        public string Author { get; init; } = Bot;
    }

    /// <summary>The token's user.</summary>
    public const string Bot = "onward-bot";

    /// <summary>A comment someone else wrote.</summary>
    public void Say(long number, string body, string author)
    {
        lock (_gate)
        {
            _comments.Add(new Comment(++_next, number, [body]) { Author = author });
        }
    }

    /// <summary>A deployment on the host: what it was made with, and each status it was given (state and environment URL).</summary>
    public sealed record Deployment(long Id, string Environment, string Ref, bool Transient, List<(string State, string? Url)> Statuses);

    public FakePullRequestHost(HookReceiver receiver, string host, string token)
    {
        _host = host;
        _auth = host switch { "github" => $"Bearer {token}", "gitea" => $"token {token}", _ => token };
        receiver.Respond(Answer);
    }

    /// <summary>What a request was refused for.</summary>
    public List<string> Refusals { get; } = [];

    public void Open(long number, string branch, string sha)
    {
        lock (_gate)
        {
            _open[number] = (branch, sha);
        }
    }

    public void Close(long number)
    {
        lock (_gate)
        {
            _open.Remove(number);
        }
    }

    public IReadOnlyList<Comment> Comments
    {
        get
        {
            lock (_gate)
            {
                return _comments.Select(c => c with { Bodies = [.. c.Bodies] }).ToList();
            }
        }
    }

    public IReadOnlyList<Deployment> Deployments
    {
        get
        {
            lock (_gate)
            {
                return _deployments.Select(d => d with { Statuses = [.. d.Statuses] }).ToList();
            }
        }
    }

    private (int, string)? Answer(HookReceiver.Received request)
    {
        var q = request.Path.IndexOf('?', StringComparison.Ordinal);
        var path = q >= 0 ? request.Path[..q] : request.Path;
        var prefix = _host == "gitlab" ? "/api/projects/acme%2Fshop/" : "/api/repos/acme/shop/";
        var header = _host == "gitlab" ? "PRIVATE-TOKEN" : "Authorization";
        if (!request.Headers.TryGetValue(header, out var auth) || auth != _auth)
        {
            return Refuse(401, "Bad credentials");
        }
        if (request.Method == "GET" && path == "/api/user")
        {
            return (200, new JsonObject { ["id"] = 7, ["login"] = Bot, ["username"] = Bot }.ToJsonString());
        }
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return Refuse(404, "Not Found");
        }
        var rest = path[prefix.Length..];
        lock (_gate)
        {
            return (request.Method, rest) switch
            {
                ("GET", "pulls" or "merge_requests") => (200, ListOpen()),
                ("GET", _) when Notes().Match(rest) is { Success: true } m => (200, new JsonArray([.. _comments.Where(c => c.Number == long.Parse(m.Groups["n"].Value))
                    .Select(c => (JsonNode)new JsonObject
                    {
                        ["id"] = c.Id, ["body"] = c.Bodies[^1], ["user"] = new JsonObject { ["login"] = c.Author }, ["author"] = new JsonObject { ["username"] = c.Author },
                    })]).ToJsonString()),
                ("POST", _) when Notes().Match(rest) is { Success: true } m => MakeComment(long.Parse(m.Groups["n"].Value), request),
                ("PATCH" or "PUT", _) when Note().Match(rest) is { Success: true } m => EditComment(long.Parse(m.Groups["id"].Value), request),
                ("GET", "deployments") => (200, "[]"),
                ("POST", "deployments") => MakeDeployment(request),
                ("POST" or "PUT", _) when DeploymentState().Match(rest) is { Success: true } m => DeploymentStatus(long.Parse(m.Groups["id"].Value), request),
                ("POST", _) when rest.StartsWith("statuses/", StringComparison.Ordinal) => (201, "{}"),
                ("GET", "environments") => (200, new JsonArray([.. _deployments.Select(d => d.Environment).Distinct()
                    .Select(e => (JsonNode)new JsonObject { ["id"] = EnvironmentId(e), ["name"] = e })]).ToJsonString()),
                ("POST", _) when StopEnvironment().Match(rest) is { Success: true } m => Stop(long.Parse(m.Groups["id"].Value)),
                _ => Refuse(404, $"Not Found: {request.Method} {rest}"),
            };
        }
    }

    private string ListOpen() => new JsonArray([.. _open.Select(p => (JsonNode)(_host != "gitlab"
        ? new JsonObject { ["number"] = p.Key, ["state"] = "open", ["html_url"] = $"https://github.com/acme/shop/pull/{p.Key}", ["head"] = new JsonObject { ["ref"] = p.Value.Branch, ["sha"] = p.Value.Sha } }
        : new JsonObject { ["iid"] = p.Key, ["state"] = "opened", ["source_branch"] = p.Value.Branch, ["sha"] = p.Value.Sha, ["web_url"] = $"https://gitlab.example.invalid/acme/shop/-/merge_requests/{p.Key}" }))]).ToJsonString();

    private (int, string) MakeComment(long number, HookReceiver.Received request)
    {
        if (Text(request, "body") is not { Length: > 0 } body)
        {
            return Refuse(422, "Validation Failed: body is missing");
        }
        var comment = new Comment(++_next, number, [body]);
        _comments.Add(comment);
        return (201, new JsonObject { ["id"] = comment.Id, ["body"] = body }.ToJsonString());
    }

    private (int, string) EditComment(long id, HookReceiver.Received request)
    {
        if (_comments.FirstOrDefault(c => c.Id == id) is not { } comment)
        {
            return Refuse(404, "Not Found");
        }
        if (comment.Author != Bot)
        {
            return Refuse(403, "Must have admin rights to edit another user's comment");
        }
        if (Text(request, "body") is not { Length: > 0 } body)
        {
            return Refuse(422, "Validation Failed: body is missing");
        }
        comment.Bodies.Add(body);
        return (200, new JsonObject { ["id"] = id, ["body"] = body }.ToJsonString());
    }

    private (int, string) MakeDeployment(HookReceiver.Received request)
    {
        var body = request.Json.AsObject();
        var deployment = new Deployment(++_next, body["environment"]?.GetValue<string>() ?? "", body["ref"]?.GetValue<string>() ?? "",
            body["transient_environment"]?.GetValue<bool>() ?? false, []);
        if (_host == "gitlab")
        {
            deployment.Statuses.Add((body["status"]?.GetValue<string>() ?? "", null));
        }
        _deployments.Add(deployment);
        return (201, new JsonObject { ["id"] = deployment.Id }.ToJsonString());
    }

    private (int, string) DeploymentStatus(long id, HookReceiver.Received request)
    {
        if (_deployments.FirstOrDefault(d => d.Id == id) is not { } deployment)
        {
            return Refuse(404, "Not Found");
        }
        var body = request.Json.AsObject();
        deployment.Statuses.Add(((body["state"] ?? body["status"])?.GetValue<string>() ?? "", body["environment_url"]?.GetValue<string>()));
        return (201, new JsonObject { ["id"] = deployment.Statuses.Count }.ToJsonString());
    }

    /// <summary>GitLab: the environments stopped, by name.</summary>
    public List<string> Stopped { get; } = [];

    private long EnvironmentId(string name) => 900 + _deployments.Select(d => d.Environment).Distinct().ToList().IndexOf(name);

    private (int, string) Stop(long id)
    {
        if (_deployments.Select(d => d.Environment).Distinct().FirstOrDefault(e => EnvironmentId(e) == id) is not { } name)
        {
            return Refuse(404, "404 Environment Not Found");
        }
        Stopped.Add(name);
        return (200, new JsonObject { ["id"] = id, ["name"] = name, ["state"] = "stopping" }.ToJsonString());
    }

    private (int, string) Refuse(int status, string message)
    {
        Refusals.Add($"{status} {message}");
        return (status, new JsonObject { ["message"] = message }.ToJsonString());
    }

    private static string? Text(HookReceiver.Received request, string field) =>
        request.Json is JsonObject o && o[field] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    [GeneratedRegex("^(issues|merge_requests)/(?<n>[0-9]+)/(comments|notes)$")]
    private static partial Regex Notes();

    [GeneratedRegex("^(issues/comments|merge_requests/[0-9]+/notes)/(?<id>[0-9]+)$")]
    private static partial Regex Note();

    [GeneratedRegex("^environments/(?<id>[0-9]+)/stop$")]
    private static partial Regex StopEnvironment();

    [GeneratedRegex("^deployments/(?<id>[0-9]+)(/statuses)?$")]
    private static partial Regex DeploymentState();
}
