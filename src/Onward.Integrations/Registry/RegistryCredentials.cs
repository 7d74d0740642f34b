using System.Text;
using System.Text.Json;
using Onward.Core.Configuration;
using Onward.Core.Images;

namespace Onward.Integrations.Registry;

/// <summary>
/// Where a registry's credentials come from: <c>registries.HOST.username/password</c>, else the <c>auths</c> entry of a
/// docker config file (the registry's <c>dockerConfig</c>, else <c>$DOCKER_CONFIG/config.json</c> or
/// <c>~/.docker/config.json</c>).
/// </summary>
public static class RegistryCredentials
{
    /// <summary>Docker Hub goes by several names in configuration files; its credentials are usually under its old index URL.</summary>
    private static readonly string[] DockerHubNames = [ImageReference.DockerHub, "index.docker.io", "registry-1.docker.io"];

    public static (string User, string Password)? For(string host, IReadOnlyList<RegistryConfig> registries)
    {
        var names = host == ImageReference.DockerHub ? DockerHubNames : [host];
        var config = registries.FirstOrDefault(r => names.Contains(r.Host));
        if (config?.Username is { } user && config.Password is { } password)
        {
            return (user, password);
        }
        var file = config?.DockerConfig
            ?? Path.Combine(Environment.GetEnvironmentVariable("DOCKER_CONFIG") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker"), "config.json");
        if (!File.Exists(file))
        {
            return null;
        }
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        if (!document.RootElement.TryGetProperty("auths", out var auths))
        {
            return null;
        }
        foreach (var entry in auths.EnumerateObject())
        {
            var key = entry.Name.Replace("https://", "", StringComparison.Ordinal).Replace("http://", "", StringComparison.Ordinal).Split('/')[0];
            if (!names.Contains(key) || !entry.Value.TryGetProperty("auth", out var auth) || auth.GetString() is not { } encoded)
            {
                continue;
            }
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 ? (decoded[..colon], decoded[(colon + 1)..]) : null;
        }
        return null;
    }

    public static bool IsInsecure(string host, IReadOnlyList<RegistryConfig> registries) =>
        registries.FirstOrDefault(r => r.Host == host)?.Insecure == true;
}
