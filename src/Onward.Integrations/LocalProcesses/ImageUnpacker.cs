using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Onward.Integrations.Registry;
using Onward.Core.Images;

namespace Onward.Integrations.LocalProcesses;

/// <summary>An image unpacked on this host: its root file system and its config.</summary>
public sealed record UnpackedImage(string RootFs, ImageConfig Config);

/// <summary>
/// Pulls an image's layers by digest and applies them in order under <c>dataDir/images/DIGEST/rootfs</c>, honouring
/// whiteouts (https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts), so that the local target can
/// run the very image a cluster would. There is no isolation: the process runs as Onward's user on this host.
/// </summary>
public sealed class ImageUnpacker(string dataDir, RegistryClient registry)
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();

    public async Task<UnpackedImage> UnpackAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(dataDir, "images", digest.Replace(':', '-'));
        var gate = _locks.GetOrAdd(digest, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var configFile = Path.Combine(directory, "config.json");
            if (File.Exists(Path.Combine(directory, ".complete")))
            {
                return new UnpackedImage(Path.Combine(directory, "rootfs"), JsonSerializer.Deserialize<ImageConfig>(await File.ReadAllTextAsync(configFile, cancellationToken))!);
            }
            var image = ImageReference.Parse(repository) with { Digest = digest };
            var manifest = await registry.GetManifestAsync(image, digest, cancellationToken);
            var config = await registry.GetConfigAsync(image, manifest, cancellationToken);
            var staging = Path.Combine(directory, "rootfs.partial");
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
            Directory.CreateDirectory(staging);
            foreach (var layer in manifest.Layers)
            {
                await using var blob = await registry.GetBlobAsync(image, layer.Digest, cancellationToken);
                await using var tar = Decompress(blob, layer.MediaType);
                await ApplyAsync(tar, staging, cancellationToken);
            }
            var rootfs = Path.Combine(directory, "rootfs");
            if (Directory.Exists(rootfs))
            {
                Directory.Delete(rootfs, recursive: true);
            }
            Directory.Move(staging, rootfs);
            await File.WriteAllTextAsync(configFile, JsonSerializer.Serialize(config), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(directory, ".complete"), digest, cancellationToken);
            return new UnpackedImage(rootfs, config);
        }
        finally
        {
            gate.Release();
        }
    }

    private static Stream Decompress(Stream blob, string mediaType) =>
        mediaType.EndsWith("gzip", StringComparison.Ordinal) ? new GZipStream(blob, CompressionMode.Decompress)
        : mediaType.EndsWith("zstd", StringComparison.Ordinal) ? throw new RegistryException($"zstd-compressed layers are not supported yet ({mediaType}); build with gzip layers")
        : blob;

    /// <summary>Applies one layer's tar stream on top of what the layers below left in <paramref name="root"/>.</summary>
    public static async Task ApplyAsync(Stream tar, string root, CancellationToken cancellationToken)
    {
        using var reader = new TarReader(tar);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            var relative = Relative(entry.Name);
            if (relative.Length == 0)
            {
                continue;
            }
            var path = Path.Combine(root, relative);
            EnsureInside(root, path);
            var name = Path.GetFileName(relative);
            var parent = Path.GetDirectoryName(path)!;
            if (name == OpaqueWhiteout)
            {
                // The directory's contents from lower layers are hidden; this layer's own entries follow.
                if (Directory.Exists(parent))
                {
                    foreach (var child in new DirectoryInfo(parent).EnumerateFileSystemInfos())
                    {
                        Remove(child.FullName);
                    }
                }
                continue;
            }
            if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                Remove(Path.Combine(parent, name[WhiteoutPrefix.Length..]));
                continue;
            }
            Directory.CreateDirectory(parent);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (File.Exists(path) || IsLink(path))
                    {
                        File.Delete(path);
                    }
                    Directory.CreateDirectory(path);
                    File.SetUnixFileMode(path, entry.Mode | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    Remove(path);
                    await using (var file = File.Create(path))
                    {
                        if (entry.DataStream is { } data)
                        {
                            await data.CopyToAsync(file, cancellationToken);
                        }
                    }
                    File.SetUnixFileMode(path, entry.Mode);
                    break;
                case TarEntryType.SymbolicLink:
                    Remove(path);
                    File.CreateSymbolicLink(path, entry.LinkName);
                    break;
                case TarEntryType.HardLink:
                    var target = Path.Combine(root, Relative(entry.LinkName));
                    EnsureInside(root, target);
                    Remove(path);
                    File.Copy(target, path);
                    break;
                default:
                    // Devices and FIFOs cannot be made without privileges and no process of a release needs them.
                    break;
            }
        }
    }

    private static string Relative(string name)
    {
        var trimmed = name.Replace('\\', '/').TrimStart('/');
        while (trimmed.StartsWith("./", StringComparison.Ordinal))
        {
            trimmed = trimmed[2..];
        }
        return trimmed.TrimEnd('/') is "." ? "" : trimmed.TrimEnd('/');
    }

    /// <summary>A layer may not write outside the root, neither by <c>..</c> nor through a symbolic link in its path.</summary>
    private static void EnsureInside(string root, string path)
    {
        var full = Path.GetFullPath(path);
        if (!full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new RegistryException($"a layer entry points outside the image: {path}");
        }
        for (var dir = Path.GetDirectoryName(full); dir is not null && dir.Length > root.Length; dir = Path.GetDirectoryName(dir))
        {
            if (IsLink(dir))
            {
                throw new RegistryException($"a layer entry would be written through the symbolic link {dir[root.Length..]}");
            }
        }
    }

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    private static void Remove(string path)
    {
        if (IsLink(path) || File.Exists(path))
        {
            File.Delete(path);
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
