using System.Net;
using System.Net.Sockets;

namespace Onward.Core.Configuration;

/// <summary>Reads <c>server</c> and <c>auth</c>.</summary>
public sealed class ServerReader(NodeReader nodes)
{
    public ServerOptions ReadServer(YamlNode? node)
    {
        var listen = new Uri("http://127.0.0.1:8080");
        var database = "sqlite:onward.db";
        var dataDir = ".onward";
        var workers = 16;
        var builds = 2;
        Uri? publicUrl = null;
        TlsOptions? tls = null;
        var proxies = new List<IPNetwork>();
        if (node is not null && nodes.AsMapping(node, "server") is { } map)
        {
            var keys = nodes.Keys(map, "server", "listen", "database", "dataDir", "workers", "builds", "publicUrl", "tls", "trustedProxies");
            if (nodes.Text(keys.Get("publicUrl"), "server.publicUrl") is { } p)
            {
                if (Uri.TryCreate(p.Value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                {
                    publicUrl = uri;
                }
                else
                {
                    nodes.Problem(p, "server.publicUrl", $"'{p.Value}' is not an http(s) URL", "write where people reach Onward, like `https://onward.example.com`");
                }
            }
            if (nodes.Text(keys.Get("listen"), "server.listen") is { } l)
            {
                if (Uri.TryCreate(l.Value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                {
                    listen = uri;
                }
                else
                {
                    nodes.Problem(l, "server.listen", $"'{l.Value}' is not an http(s) URL", "write it like `http://127.0.0.1:8080`");
                }
            }
            if (nodes.Text(keys.Get("database"), "server.database") is { } d)
            {
                if (d.Value.StartsWith("sqlite:", StringComparison.Ordinal) && d.Value.Length > "sqlite:".Length)
                {
                    database = d.Value;
                }
                else if (d.Value.StartsWith("postgres://", StringComparison.Ordinal) || d.Value.StartsWith("postgresql://", StringComparison.Ordinal))
                {
                    if (Uri.TryCreate(d.Value, UriKind.Absolute, out var url) && url.Host.Length > 0 && url.AbsolutePath.Trim('/').Length > 0)
                    {
                        database = d.Value;
                    }
                    else
                    {
                        // The value may hold a password: the problem names its shape, not the value.
                        nodes.Problem(d, "server.database", "the PostgreSQL URL cannot be read (it needs a host and a database name)",
                            "write it like `postgres://onward:${ONWARD_DB_PASSWORD}@db.internal:5432/onward?sslmode=require`");
                    }
                }
                else
                {
                    nodes.Problem(d, "server.database", "the value is not a database URL", "use `sqlite:PATH` (e.g. `sqlite:onward.db`) or `postgres://USER:PASSWORD@HOST:5432/DATABASE`");
                }
            }
            if (nodes.Text(keys.Get("dataDir"), "server.dataDir") is { } dir)
            {
                dataDir = dir.Value;
            }
            if (nodes.Number(keys.Get("workers"), "server.workers", 1, 256) is { } w)
            {
                workers = w;
            }
            if (nodes.Number(keys.Get("builds"), "server.builds", 1, 64) is { } b)
            {
                builds = b;
            }
            tls = keys.Get("tls") is { } tlsNode ? ReadTls(tlsNode) : null;
            if (listen.Scheme == "https" && tls is null && keys.Get("tls") is null)
            {
                nodes.Problem(keys.Get("listen")!, "server.listen", $"'{listen}' is https but the server has no certificate",
                    "add `tls: { certificate: /etc/onward/tls.crt, key: /etc/onward/tls.key }` (PEM files), or listen on http behind a TLS proxy with `publicUrl: https://…`");
            }
            else if (listen.Scheme == "http" && keys.Get("tls") is { } unused)
            {
                nodes.Problem(unused, "server.tls", $"the server listens on {listen}, which is not https", "listen on `https://…` to serve this certificate, or remove `tls`");
            }
            if (keys.Get("trustedProxies") is { } proxiesNode)
            {
                foreach (var entry in nodes.StringList(proxiesNode, "server.trustedProxies"))
                {
                    if (ReadNetwork(entry.Value) is { } network)
                    {
                        proxies.Add(network);
                    }
                    else
                    {
                        nodes.Problem(entry, "server.trustedProxies", $"'{entry.Value}' is neither an IP address nor a CIDR range", "write addresses like `10.0.0.5` or ranges like `10.0.0.0/8` and `fd00::/8`");
                    }
                }
            }
        }
        return new ServerOptions(
            listen,
            database.StartsWith("sqlite:", StringComparison.Ordinal) ? "sqlite:" + Path.GetFullPath(database["sqlite:".Length..], nodes.BaseDirectory) : database,
            Path.GetFullPath(dataDir, nodes.BaseDirectory),
            workers)
        { Builds = builds, PublicUrl = publicUrl, Tls = tls, TrustedProxies = proxies };
    }

    private TlsOptions? ReadTls(YamlNode node)
    {
        if (nodes.AsMapping(node, "server.tls") is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, "server.tls", "certificate", "key");
        var certificate = nodes.Text(keys.Get("certificate"), "server.tls.certificate");
        var key = nodes.Text(keys.Get("key"), "server.tls.key");
        if (certificate is null || key is null)
        {
            nodes.Problem(map, "server.tls", $"missing `{(certificate is null ? "certificate" : "key")}`", "give both PEM files: `tls: { certificate: tls.crt, key: tls.key }` (the certificate file may hold its chain)");
            return null;
        }
        var (certificatePath, keyPath) = (nodes.HostPath(certificate, "server.tls.certificate"), nodes.HostPath(key, "server.tls.key"));
        foreach (var (scalar, path, what) in new[] { (certificate, certificatePath, "certificate"), (key, keyPath, "key") })
        {
            if (nodes.PathExists?.Invoke(path) == false)
            {
                nodes.Problem(scalar, $"server.tls.{what}", $"{path} does not exist", $"give the path of the PEM {what} file (relative paths start at this file's folder)");
            }
        }
        return new TlsOptions(certificatePath, keyPath);
    }

    /// <summary>An address (a range of one) or a CIDR range.</summary>
    private static IPNetwork? ReadNetwork(string text)
    {
        if (IPNetwork.TryParse(text, out var network))
        {
            return network;
        }
        return IPAddress.TryParse(text, out var address)
            ? new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
            : null;
    }

    public AuthOptions ReadAuth(YamlNode? node, ServerOptions server)
    {
        var mode = AuthMode.None;
        var where = node;
        if (node is not null && nodes.AsMapping(node, "auth") is { } map)
        {
            var keys = nodes.Keys(map, "auth", "mode", "oidc");
            if (nodes.Text(keys.Get("mode"), "auth.mode") is { } m)
            {
                where = m;
                switch (m.Value)
                {
                    case "none":
                        mode = AuthMode.None;
                        break;
                    case "tokens":
                        mode = AuthMode.Tokens;
                        break;
                    default:
                        nodes.Problem(m, "auth.mode", $"unknown mode '{m.Value}'", "use `none` or `tokens`");
                        break;
                }
            }
        }
        if (mode == AuthMode.None && !server.ListensOnLoopback)
        {
            nodes.Problem(where?.Line ?? 1, where?.Column ?? 1, "auth.mode", $"`none` is accepted only when the server listens on loopback, not on {server.Listen}", "listen on http://127.0.0.1:PORT");
        }
        OidcOptions? oidc = null;
        if (node is not null && NodeReader.Child(node, "oidc") is { } oidcNode && !NodeReader.IsNull(oidcNode))
        {
            oidc = new OidcReader(nodes).Read(oidcNode, server);
            if (mode != AuthMode.Tokens)
            {
                nodes.Problem(oidcNode, "auth.oidc", "signing in with a provider needs `auth.mode: tokens`", "write `auth: { mode: tokens, oidc: { … } }`: people sign in with the provider, machines with tokens");
            }
        }
        return new AuthOptions(mode) { Oidc = oidc };
    }
}
