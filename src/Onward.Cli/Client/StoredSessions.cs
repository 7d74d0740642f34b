using System.Text.Json;

namespace Onward.Cli.Client;

/// <summary>
/// The sessions <c>onward login</c> keeps, one per server, in <c>$XDG_CONFIG_HOME/onward/sessions.json</c> (else
/// <c>~/.config/onward/sessions.json</c>), readable by its owner only. A command without <c>--token</c> or
/// <c>ONWARD_TOKEN</c> uses the session kept for its server.
/// </summary>
public static class StoredSessions
{
    public sealed record Session(string Secret, string Name, DateTimeOffset SavedAt);

    public static string File
    {
        get
        {
            var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(config, "onward", "sessions.json");
        }
    }

    public static Session? For(Uri server) => Read().GetValueOrDefault(Key(server));

    public static void Save(Uri server, Session session)
    {
        var all = Read();
        all[Key(server)] = session;
        Write(all);
    }

    /// <returns>Whether a session was kept for <paramref name="server"/>.</returns>
    public static bool Forget(Uri server)
    {
        var all = Read();
        var had = all.Remove(Key(server));
        Write(all);
        return had;
    }

    private static string Key(Uri server) => server.GetLeftPart(UriPartial.Authority).ToLowerInvariant() + "/";

    private static Dictionary<string, Session> Read()
    {
        try
        {
            return System.IO.File.Exists(File)
                ? JsonSerializer.Deserialize<Dictionary<string, Session>>(System.IO.File.ReadAllText(File), ApiClient.Json) ?? []
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static void Write(Dictionary<string, Session> all)
    {
        var directory = Path.GetDirectoryName(File)!;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var partial = File + ".part";
        using (var stream = new FileStream(partial, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        {
            JsonSerializer.Serialize(stream, all, ApiClient.Json);
        }
        System.IO.File.Move(partial, File, overwrite: true);
    }
}
