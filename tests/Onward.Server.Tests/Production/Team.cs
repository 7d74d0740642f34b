using System.Net;
using System.Text.Json;
using Onward.Contracts.Tokens;
using Onward.Testing;

namespace Onward.Server.Tests.Production;

/// <summary>
/// The people of a production setup, each with a real token: <c>root</c> (admin, made with the CLI on the server's
/// database, as a first admin is), approvers <c>alice</c>, <c>bob</c>, <c>carol</c>, <c>erin</c>, <c>frank</c> in
/// release-managers, <c>sam</c> (approver, only in sre), <c>dave</c> and <c>dan</c> (deployers) and <c>vera</c> (viewer), made by
/// root through the API.
/// </summary>
public sealed class Team : IDisposable
{
    private readonly Dictionary<string, OnwardApi> _apis = [];

    private Team(Uri server) => Server = server;

    public Uri Server { get; }

    public Dictionary<string, string> Tokens { get; } = [];

    public OnwardApi this[string name] => _apis[name];

    public static async Task<Team> CreateAsync(OnwardHost onward, string directory)
    {
        var team = new Team(onward.Config.Server.Listen);
        var bootstrap = await OnwardCli.RunAsync(directory, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
        bootstrap.ExitCode.ShouldBe(0, bootstrap.Error);
        team.Add("root", JsonDocument.Parse(bootstrap.Output).RootElement.GetProperty("token").GetString()!);
        foreach (var (name, role, group) in new[]
        {
            ("alice", "approver", "release-managers"), ("bob", "approver", "release-managers"), ("carol", "approver", "release-managers"),
            ("erin", "approver", "release-managers"), ("frank", "approver", "release-managers"), ("sam", "approver", "sre"),
            ("dave", "deployer", null), ("dan", "deployer", null), ("vera", "viewer", null),
        })
        {
            var (status, problem, created) = await team["root"].PostAsync<CreatedTokenResponse>("api/v1/tokens",
                new TokenRequestBody(name, role, group is null ? [] : [group]));
            status.ShouldBe(HttpStatusCode.Created, problem?.Detail);
            team.Add(name, created!.Token);
        }
        return team;
    }

    /// <summary>Runs the real CLI against the server as <paramref name="who"/>.</summary>
    public Task<OnwardCli.Result> CliAsync(string who, params string[] arguments) =>
        OnwardCli.RunAsync(null, [.. arguments, "--server", Server.ToString(), "--token", Tokens[who]]);

    public void Dispose()
    {
        foreach (var api in _apis.Values)
        {
            api.Dispose();
        }
    }

    private void Add(string name, string token)
    {
        Tokens[name] = token;
        _apis[name] = new OnwardApi(Server, token);
    }
}
