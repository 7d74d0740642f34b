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
        if (node is not null && nodes.AsMapping(node, "server") is { } map)
        {
            var keys = nodes.Keys(map, "server", "listen", "database", "dataDir", "workers", "builds");
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
                    nodes.Problem(d, "server.database", "PostgreSQL is not supported by this version", "use `sqlite:onward.db`");
                }
                else
                {
                    nodes.Problem(d, "server.database", $"'{d.Value}' is not a database URL", "use `sqlite:PATH`, e.g. `sqlite:onward.db`");
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
        }
        var dbPath = database["sqlite:".Length..];
        return new ServerOptions(
            listen,
            "sqlite:" + Path.GetFullPath(dbPath, nodes.BaseDirectory),
            Path.GetFullPath(dataDir, nodes.BaseDirectory),
            workers)
        { Builds = builds };
    }

    public AuthOptions ReadAuth(YamlNode? node, ServerOptions server)
    {
        var mode = AuthMode.None;
        var where = node;
        if (node is not null && nodes.AsMapping(node, "auth") is { } map)
        {
            var keys = nodes.Keys(map, "auth", "mode");
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
        return new AuthOptions(mode);
    }
}
