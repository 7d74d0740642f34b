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
        if (node is not null && nodes.AsMapping(node, "server") is { } map)
        {
            var keys = nodes.Keys(map, "server", "listen", "database", "dataDir", "workers", "builds", "publicUrl");
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
        }
        return new ServerOptions(
            listen,
            database.StartsWith("sqlite:", StringComparison.Ordinal) ? "sqlite:" + Path.GetFullPath(database["sqlite:".Length..], nodes.BaseDirectory) : database,
            Path.GetFullPath(dataDir, nodes.BaseDirectory),
            workers)
        { Builds = builds, PublicUrl = publicUrl };
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
