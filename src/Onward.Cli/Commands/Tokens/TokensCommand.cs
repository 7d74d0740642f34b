using System.CommandLine;
using System.Text.Json;
using Onward.Cli.Client;
using Onward.Contracts.Tokens;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Server.Api.Tokens;
using Onward.Server.Configuration;
using Onward.Storage.Access;
using Onward.Storage.Database;
using Spectre.Console;

namespace Onward.Cli.Commands.Tokens;

/// <summary>
/// API tokens. With <c>--config</c> the command works on the server's own database (how the first admin token comes
/// to be); with <c>--server</c> (or ONWARD_SERVER) it goes through the API and needs an admin token.
/// </summary>
public static class TokensCommand
{
    private static readonly Option<string?> Config = new("--config", "-c")
    {
        Description = "Work on the database of this onward.yaml directly (bootstrap; needs access to the server's files)",
    };

    public static Command Create()
    {
        var command = new Command("tokens", "API tokens: who may do what");
        command.Subcommands.Add(CreateToken());
        command.Subcommands.Add(Revoke());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Sessions());
        return command;
    }

    private static Command CreateToken()
    {
        var name = new Option<string>("--name") { Description = "Whose token: the name that appears in every event (e.g. alice, ci-bot)", Required = true };
        var role = new Option<string>("--role") { Description = "viewer, deployer, approver or admin (each includes the ones before it), or sdk: an OpenFeature SDK key for one environment's flags", Required = true };
        var environment = new Option<string?>("--env") { Description = "For --role sdk: the environment whose flags the key evaluates" };
        var group = new Option<string[]>("--group", "-g") { Description = "A group for approvals, e.g. release-managers (repeatable)", AllowMultipleArgumentsPerToken = false };
        var expires = new Option<string?>("--expires") { Description = "How long the token works, e.g. 90d (default: until revoked)" };
        var create = new Command("create", "Create a token and print it once; only its hash is stored");
        foreach (var option in new Option[] { Config, name, role, group, expires, environment })
        {
            create.Options.Add(option);
        }
        create.SetAction(async (result, cancellationToken) =>
        {
            var roleText = result.GetValue(role)!;
            var groups = result.GetValue(group) ?? [];
            if (AccessTokens.Read(result.GetValue(name)!, roleText, groups, result.GetValue(expires), out var parsedRole, out var lifetime) is { } problem)
            {
                Console.Error.WriteLine($"error: {problem}");
                return ExitCodes.Usage;
            }
            return await RunAsync(result,
                async (tokens, _, _, config, ct) =>
                {
                    var issued = await tokens.IssueAsync(new TokenOrder(result.GetValue(name), roleText, groups, result.GetValue(expires), result.GetValue(environment)),
                        config.Environments.Select(e => e.Name), LocalActor(), ct);
                    return issued.Problem is { } refused ? throw new ApiException(400, null, refused) : issued.Token!.ToCreatedResponse(issued.Secret!);
                },
                async (client, ct) => (await client.PostAsync<CreatedTokenResponse>("api/v1/tokens",
                    new TokenRequestBody(result.GetValue(name), roleText, groups, result.GetValue(expires), result.GetValue(environment)), ct)).Value,
                created => Console.WriteLine(result.GetValue(GlobalOptions.Json)
                    ? JsonSerializer.Serialize(created, ApiClient.Json)
                    : $"{created.Token}\n\ntoken {created.Id} for {created.Name} ({created.Role}{(created.Groups.Count == 0 ? "" : ", groups " + string.Join(", ", created.Groups))}" +
                      $"{(created.ExpiresAt is { } e ? $", expires {e.ToLocalTime():yyyy-MM-dd HH:mm}" : "")}{(created.Environment is { } env ? $", flags of {env} only" : "")}). " +
                      "This is the only time it is shown: give it to its owner, who sets ONWARD_TOKEN to it."),
                cancellationToken);
        });
        return create;
    }

    private static Command Revoke()
    {
        var name = new Option<string?>("--name") { Description = "Revoke every active token of this name" };
        var id = new Option<long?>("--id") { Description = "Revoke only the token with this id" };
        var revoke = new Command("revoke", "Revoke tokens; requests with them get 401 from now on");
        foreach (var option in new Option[] { Config, name, id })
        {
            revoke.Options.Add(option);
        }
        revoke.Validators.Add(r =>
        {
            if ((r.GetValue(name) is null) == (r.GetValue(id) is null))
            {
                r.AddError("give exactly one of --name and --id");
            }
        });
        revoke.SetAction((result, cancellationToken) => RunAsync(result,
            async (tokens, _, _, _, ct) => (await tokens.RevokeAsync(result.GetValue(name), result.GetValue(id), LocalActor(), ct)).Select(t => t.ToResponse()).ToArray(),
            async (client, ct) => (await client.DeleteAsync<TokenResponse[]>(
                result.GetValue(id) is { } i ? $"api/v1/tokens/{i}" : $"api/v1/tokens?name={Uri.EscapeDataString(result.GetValue(name)!)}", ct)).Value,
            revoked =>
            {
                if (revoked.Length == 0)
                {
                    throw new ApiException(404, null, "no active token matched; `onward tokens list` shows them");
                }
                Console.WriteLine(result.GetValue(GlobalOptions.Json) ? JsonSerializer.Serialize(revoked, ApiClient.Json)
                    : string.Join("\n", revoked.Select(t => $"revoked token {t.Id} of {t.Name}")));
            },
            cancellationToken));
        return revoke;
    }

    private static Command List()
    {
        var list = new Command("list", "Tokens with their owners, roles and groups (never the secrets)");
        list.Options.Add(Config);
        list.SetAction((result, cancellationToken) => RunAsync(result,
            async (tokens, store, _, _, ct) => (await store.ListAsync(int.MaxValue, null, ct)).Select(t => t.ToResponse()).ToArray(),
            async (client, ct) => (await client.GetAsync<TokenResponse[]>("api/v1/tokens", ct)).Value,
            all =>
            {
                if (result.GetValue(GlobalOptions.Json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(all, ApiClient.Json));
                    return;
                }
                var table = new Table().Border(TableBorder.Simple).AddColumns("ID", "NAME", "ROLE", "GROUPS", "CREATED", "BY", "EXPIRES", "REVOKED");
                foreach (var t in all)
                {
                    table.AddRow(t.Id.ToString(), ApiCommand.Escape(t.Name), t.Role, ApiCommand.Escape(string.Join(", ", t.Groups)),
                        t.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm"), ApiCommand.Escape(t.CreatedBy),
                        t.ExpiresAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm") ?? "never", t.RevokedAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm") ?? "");
                }
                AnsiConsole.Write(table);
            },
            cancellationToken));
        return list;
    }

    private static Command Sessions()
    {
        var tokenId = new Option<long?>("--id") { Description = "Only the sessions of the token with this id" };
        var name = new Option<string?>("--name") { Description = "Only the sessions of this person's tokens" };
        var active = new Option<bool>("--active") { Description = "Only the sessions that last now" };
        var sessions = new Command("sessions", "Web UI sessions per token: who signed in, from where, since when, and how each ended");
        foreach (var option in new Option[] { Config, tokenId, name, active })
        {
            sessions.Options.Add(option);
        }
        sessions.SetAction((result, cancellationToken) => RunAsync(result,
            async (_, _, store, _, ct) =>
            {
                var now = TimeProvider.System.GetUtcNow();
                return (await store.ListAsync(result.GetValue(tokenId), result.GetValue(name), result.GetValue(active), now, 1000, null, ct)).Select(s => s.ToResponse(now)).ToArray();
            },
            async (client, ct) => (await client.GetAsync<SessionResponse[]>("api/v1/tokens/sessions?limit=1000"
                + (result.GetValue(tokenId) is { } i ? $"&tokenId={i}" : "")
                + (result.GetValue(name) is { } n ? $"&name={Uri.EscapeDataString(n)}" : "")
                + (result.GetValue(active) ? "&active=true" : ""), ct)).Value,
            all =>
            {
                if (result.GetValue(GlobalOptions.Json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(all, ApiClient.Json));
                    return;
                }
                var table = new Table().Border(TableBorder.Simple).AddColumns("ID", "TOKEN", "NAME", "STARTED", "LAST SEEN", "FROM", "STATE");
                foreach (var s in all)
                {
                    var state = s.Active ? $"until {s.ExpiresAt.ToLocalTime():yyyy-MM-dd HH:mm}"
                        : s.EndedAt is { } ended ? $"ended {ended.ToLocalTime():yyyy-MM-dd HH:mm}: {s.EndedReason}" : "ran out";
                    table.AddRow(s.Id.ToString(), s.TokenId.ToString(), ApiCommand.Escape(s.Name), s.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm"),
                        s.LastSeenAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm"), ApiCommand.Escape(s.Address ?? ""), ApiCommand.Escape(state));
                }
                AnsiConsole.Write(table);
            },
            cancellationToken));
        var id = new Argument<long>("id") { Description = "The session's id, from `onward tokens sessions`" };
        var end = new Command("end", "End one web session now: its next page asks to sign in again, its open pages stop updating");
        end.Arguments.Add(id);
        end.Options.Add(Config);
        end.SetAction((result, cancellationToken) => RunAsync(result,
            async (_, _, store, _, ct) => await store.EndAsync(result.GetValue(id), SessionEndings.EndedBy(LocalActor()), LocalActor(), TimeProvider.System.GetUtcNow(), ct)
                ? result.GetValue(id)
                : throw new ApiException(404, null, $"there is no lasting web session {result.GetValue(id)}; `onward tokens sessions --active` lists them"),
            async (client, ct) =>
            {
                await client.DeleteTextAsync($"api/v1/tokens/sessions/{result.GetValue(id)}", ct);
                return result.GetValue(id);
            },
            ended => Console.WriteLine($"ended web session {ended}"),
            cancellationToken));
        sessions.Subcommands.Add(end);
        return sessions;
    }

    private static async Task<int> RunAsync<T>(
        ParseResult result,
        Func<AccessTokens, ITokenStore, ISessionStore, OnwardConfig, CancellationToken, Task<T>> onDatabase,
        Func<ApiClient, CancellationToken, Task<T>> onServer,
        Action<T> print,
        CancellationToken cancellationToken)
    {
        var configPath = result.GetValue(Config);
        var viaServer = configPath is null
            && (result.GetValue(GlobalOptions.Server) is not null || Environment.GetEnvironmentVariable("ONWARD_SERVER") is not null);
        try
        {
            if (viaServer)
            {
                using var client = GlobalOptions.Client(result);
                print(await onServer(client, cancellationToken));
                return ExitCodes.Success;
            }
            configPath ??= File.Exists(ConfigFile.DefaultName) ? ConfigFile.DefaultName : null;
            if (configPath is null)
            {
                Console.Error.WriteLine("error: give --config FILE (works on the server's database) or --server URL with an admin token in ONWARD_TOKEN");
                return ExitCodes.Usage;
            }
            var load = ConfigFile.Load(configPath);
            if (!load.IsValid)
            {
                foreach (var problem in load.Problems)
                {
                    Console.Error.WriteLine(problem);
                }
                return ExitCodes.Failure;
            }
            using var database = OnwardDatabase.FromUrl(load.Config!.Server.Database);
            await database.MigrateAsync(cancellationToken);
            var store = new TokenStore(database);
            print(await onDatabase(new AccessTokens(store, TimeProvider.System), store, new SessionStore(database, store), load.Config, cancellationToken));
            if (load.Config.Auth.Mode == AuthMode.None && !viaServer)
            {
                Console.Error.WriteLine($"note: {configPath} has `auth.mode: none`; tokens identify callers, but calls without one are still allowed");
            }
            return ExitCodes.Success;
        }
        catch (ApiException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    private static string LocalActor() => $"{Environment.UserName} (local CLI)";
}
