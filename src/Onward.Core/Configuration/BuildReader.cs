using Onward.Core.Images;

namespace Onward.Core.Configuration;

/// <summary>Reads a service's <c>build</c>: exactly one of a command, buildah, docker or an external CI.</summary>
public sealed class BuildReader(NodeReader nodes)
{
    /// <summary>The builders that produce an image rather than a directory.</summary>
    public static readonly string[] ImageBuilders = ["buildah", "docker", "external"];

    public BuildConfig? Read(YamlNode node, string path)
    {
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, "command", "buildah", "docker", "external", "timeout");
        var timeout = nodes.Duration(keys.Get("timeout"), path + ".timeout") ?? TimeSpan.FromMinutes(30);
        string[] builders = ["command", "buildah", "docker", "external"];
        var given = builders.Where(b => keys.Get(b) is not null).ToList();
        if (given.Count != 1)
        {
            nodes.Problem(map, path, given.Count == 0 ? "no builder given" : $"several builders given ({string.Join(", ", given)})",
                "give exactly one of `command: { run: ... }`, `buildah: { image: ... }`, `docker: { image: ... }`, `external: { image: ... }`");
            return null;
        }
        switch (given[0])
        {
            case "command":
                if (nodes.AsMapping(keys.Get("command")!, path + ".command") is not { } commandMap)
                {
                    return null;
                }
                var commandKeys = nodes.Keys(commandMap, path + ".command", "run");
                if (nodes.Text(commandKeys.Get("run"), path + ".command.run") is not { } run)
                {
                    nodes.Problem(commandMap, path + ".command", "missing `run`", "add the shell command that builds, e.g. `run: \"dotnet publish -o {artifact}\"`");
                    return null;
                }
                nodes.CheckShellPlaceholders(run, path + ".command.run", "artifact", "version", "commit");
                return new BuildConfig(new CommandBuildConfig(run.Value), timeout);
            case "external":
                if (nodes.AsMapping(keys.Get("external")!, path + ".external") is not { } externalMap)
                {
                    return null;
                }
                var externalKeys = nodes.Keys(externalMap, path + ".external", "image");
                return ImageName(externalKeys.Get("image"), externalMap, path + ".external") is { } externalImage
                    ? new BuildConfig(null, timeout) { External = new ExternalBuildConfig(externalImage) }
                    : null;
            default:
                var builder = given[0];
                if (nodes.AsMapping(keys.Get(builder)!, $"{path}.{builder}") is not { } imageMap)
                {
                    return null;
                }
                var imageKeys = nodes.Keys(imageMap, $"{path}.{builder}", "context", "file", "image");
                var context = nodes.Text(imageKeys.Get("context"), $"{path}.{builder}.context")?.Value ?? ".";
                var file = nodes.Text(imageKeys.Get("file"), $"{path}.{builder}.file")?.Value ?? "Containerfile";
                foreach (var (value, key) in new[] { (context, "context"), (file, "file") })
                {
                    if (Path.IsPathRooted(value) || value.Split('/').Contains(".."))
                    {
                        nodes.Problem(imageKeys.Get(key) ?? imageMap, $"{path}.{builder}.{key}", $"'{value}' leaves the repository", "give a path inside the repository, relative to its root");
                    }
                }
                if (ImageName(imageKeys.Get("image"), imageMap, $"{path}.{builder}") is not { } image)
                {
                    return null;
                }
                var config = new ImageBuildConfig(context, file, image);
                return builder == "buildah"
                    ? new BuildConfig(null, timeout) { Buildah = config }
                    : new BuildConfig(null, timeout) { Docker = config };
        }
    }

    /// <summary>An image repository without tag or digest: <c>registry.example.com:5000/team/app</c>.</summary>
    private string? ImageName(YamlNode? node, YamlMapping parent, string path)
    {
        if (nodes.Text(node, path + ".image") is not { } image)
        {
            nodes.Problem(parent, path, "missing `image`", "name the repository images are pushed to, e.g. `image: registry.example.com/team/app`");
            return null;
        }
        if (ImageReference.ParseRepository(image.Value, out var problem) is not { } repository)
        {
            nodes.Problem(image, path + ".image", problem!, "write the repository images are pushed to, lowercase, without a tag or digest, e.g. `registry.example.com/acme/billing` or `127.0.0.1:5000/acme/billing`; a name without a registry host (acme/billing) is on Docker Hub");
            return null;
        }
        return repository.Name;
    }
}
