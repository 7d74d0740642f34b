namespace Onward.Core.Configuration;

/// <summary>What an edit of onward.yaml changes that the running server cannot take on: those keep their value until a restart.</summary>
public static class ConfigChanges
{
    /// <summary>The settings that differ and need a restart, by their path in onward.yaml.</summary>
    public static IReadOnlyList<string> NeedingRestart(OnwardConfig running, OnwardConfig edited)
    {
        var (a, b) = (running.Server, edited.Server);
        var changed = new List<string>();
        void Differs(string path, bool differs)
        {
            if (differs)
            {
                changed.Add(path);
            }
        }
        Differs("server.listen", a.Listen != b.Listen);
        Differs("server.database", a.Database != b.Database);
        Differs("server.dataDir", a.DataDir != b.DataDir);
        Differs("server.workers", a.Workers != b.Workers);
        Differs("server.builds", a.Builds != b.Builds);
        Differs("server.publicUrl", a.PublicUrl != b.PublicUrl);
        Differs("server.tls", a.Tls != b.Tls);
        Differs("server.trustedProxies", !a.TrustedProxies.SequenceEqual(b.TrustedProxies));
        Differs("auth.mode", running.Auth.Mode != edited.Auth.Mode);
        Differs("auth.oidc", !OidcOptions.Same(running.Auth.Oidc, edited.Auth.Oidc));
        Differs("registries", !running.Registries.SequenceEqual(edited.Registries));
        return changed;
    }

    /// <summary>The edited configuration as the running server takes it on: its own server, auth and registries kept.</summary>
    public static OnwardConfig Applicable(OnwardConfig running, OnwardConfig edited) =>
        edited with { Server = running.Server, Auth = running.Auth, Registries = running.Registries };
}
