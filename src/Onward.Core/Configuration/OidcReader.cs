using Onward.Core.Access;

namespace Onward.Core.Configuration;

/// <summary>Reads <c>auth.oidc</c>: the provider, the client, what is asked for, and which groups have which roles where.</summary>
public sealed class OidcReader(NodeReader nodes)
{
    private static readonly Dictionary<string, Role> RoleNames = new(StringComparer.Ordinal)
    {
        ["admin"] = Role.Admin,
        ["approver"] = Role.Approver,
        ["deployer"] = Role.Deployer,
        ["viewer"] = Role.Viewer,
    };

    public OidcOptions? Read(YamlNode node, ServerOptions server)
    {
        const string path = "auth.oidc";
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, "name", "issuer", "clientId", "clientSecret", "scopes", "groupsClaim", "usernameClaim", "roles", "sessionLifetime", "audience");
        var valid = true;
        string Required(string key, string hint)
        {
            if (nodes.Text(keys.Get(key), $"{path}.{key}") is { Value.Length: > 0 } text)
            {
                return text.Value;
            }
            nodes.Problem(keys.Get(key) ?? (YamlNode)map, $"{path}.{key}", $"missing `{key}`", hint);
            valid = false;
            return "";
        }
        var name = Required("name", "write what the sign-in button names, e.g. `name: Acme SSO`");
        var issuerText = Required("issuer", "write the provider's issuer, e.g. `issuer: https://login.example.com/realms/eng`");
        var clientId = Required("clientId", "write the client id the provider's admin registered for Onward");
        var clientSecret = Required("clientSecret", "write `clientSecret: ${ONWARD_OIDC_SECRET}` and set the variable where Onward runs");
        Uri? issuer = null;
        if (issuerText.Length > 0)
        {
            if (!Uri.TryCreate(issuerText, UriKind.Absolute, out issuer) || issuer.Scheme is not ("https" or "http") || issuer.Query.Length > 0 || issuer.Fragment.Length > 0)
            {
                nodes.Problem(keys.Get("issuer")!, $"{path}.issuer", $"'{issuerText}' is not an issuer URL", "write the provider's issuer as it appears in its discovery document");
                valid = false;
            }
            else if (issuer.Scheme == "http" && !issuer.IsLoopback)
            {
                nodes.Problem(keys.Get("issuer")!, $"{path}.issuer", "an issuer over plain http is accepted only on a loopback address",
                    "use the provider's https address; plain http is for a provider on this machine");
                valid = false;
            }
        }
        if (server.PublicUrl is null)
        {
            nodes.Problem(map, path, "signing in with a provider needs `server.publicUrl`",
                "write where people reach Onward, e.g. `server: { publicUrl: https://onward.example.com }`; the provider's admin registers {publicUrl}/signin-oidc as its redirect URI");
            valid = false;
        }
        var scopes = keys.Get("scopes") is { } scopesNode ? nodes.StringList(scopesNode, $"{path}.scopes").Select(s => s.Value).ToList() : [.. OidcOptions.DefaultScopes];
        if (!scopes.Contains("openid"))
        {
            scopes.Insert(0, "openid");
        }
        var groupsClaim = nodes.Text(keys.Get("groupsClaim"), $"{path}.groupsClaim")?.Value ?? "groups";
        var usernameClaim = nodes.Text(keys.Get("usernameClaim"), $"{path}.usernameClaim")?.Value;
        var lifetime = nodes.Duration(keys.Get("sessionLifetime"), $"{path}.sessionLifetime") ?? OidcOptions.DefaultSessionLifetime;
        if (lifetime < TimeSpan.FromMinutes(5) || lifetime > TimeSpan.FromDays(30))
        {
            nodes.Problem(keys.Get("sessionLifetime")!, $"{path}.sessionLifetime", "a session lasts between 5 minutes and 30 days", "write e.g. `sessionLifetime: 8h`");
            valid = false;
        }
        var roles = new List<RoleRule>();
        if (keys.Get("roles") is not { } rolesNode)
        {
            nodes.Problem(map, $"{path}.roles", "missing `roles`: without them nobody who signs in may do anything",
                "map groups to roles, e.g. `roles: { admin: [platform], deployer: [developers], viewer: [\"*\"] }`");
            valid = false;
        }
        else if (nodes.AsMapping(rolesNode, $"{path}.roles") is { } rolesMap)
        {
            foreach (var (key, value) in nodes.UniqueEntries(rolesMap, $"{path}.roles", "role"))
            {
                var at = $"{path}.roles.{key.Value}";
                if (!RoleNames.TryGetValue(key.Value, out var role))
                {
                    nodes.Problem(key, at, $"unknown role '{key.Value}'", $"use {string.Join(", ", RoleNames.Keys)}");
                    valid = false;
                    continue;
                }
                if (value is not YamlSequence list)
                {
                    nodes.Problem(value, at, "expected a list of groups", $"write `{key.Value}: [group-a, group-b]`, or `{{ group: team, services: [shop] }}` entries");
                    valid = false;
                    continue;
                }
                for (var i = 0; i < list.Items.Count; i++)
                {
                    if (ReadRule(list.Items[i], $"{at}[{i}]", role) is { } rule)
                    {
                        roles.Add(rule);
                    }
                    else
                    {
                        valid = false;
                    }
                }
            }
        }
        var audience = nodes.Text(keys.Get("audience"), $"{path}.audience")?.Value ?? clientId;
        return valid ? new OidcOptions(name, issuer!, clientId, clientSecret, scopes, groupsClaim, usernameClaim, roles, lifetime, audience) : null;
    }

    private RoleRule? ReadRule(YamlNode node, string at, Role role)
    {
        if (node is YamlScalar scalar)
        {
            return nodes.Text(scalar, at) is { Value.Length: > 0 } group ? new RoleRule(role, group.Value) : null;
        }
        if (nodes.AsMapping(node, at) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, at, "group", "services", "environments");
        if (nodes.Text(keys.Get("group"), at + ".group") is not { Value.Length: > 0 } groupNode)
        {
            nodes.Problem(map, at, "missing `group`", "write `{ group: shop-team, services: [shop] }`");
            return null;
        }
        var services = keys.Get("services") is { } s ? nodes.StringList(s, at + ".services").Select(v => v.Value).ToList() : null;
        var environments = keys.Get("environments") is { } e ? nodes.StringList(e, at + ".environments").Select(v => v.Value).ToList() : null;
        if (services is null && environments is null)
        {
            nodes.Problem(map, at, "a team's entry names `services` or `environments`", $"write the group alone (`- {groupNode.Value}`) for the role everywhere");
            return null;
        }
        return new RoleRule(role, groupNode.Value, services, environments);
    }
}
