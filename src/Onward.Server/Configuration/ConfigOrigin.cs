using Onward.Core.Configuration;

namespace Onward.Server.Configuration;

/// <summary>Where the server's configuration comes from, so that an edit of the file can be loaded again.</summary>
/// <param name="Path">The onward.yaml the server was started with.</param>
/// <param name="Adjust">What the command line changes in what the file says (<c>serve --listen</c>), applied to every reload too.</param>
public sealed record ConfigOrigin(string Path, Func<OnwardConfig, OnwardConfig> Adjust)
{
    public ConfigOrigin(string path)
        : this(path, config => config)
    {
    }

    /// <summary>The digest of the file's content when it was loaded (taken when this is made, right after): an edit from then on is loaded again.</summary>
    public byte[]? LoadedDigest { get; } = ConfigReloader.Digest(System.IO.Path.GetFullPath(Path));
}
