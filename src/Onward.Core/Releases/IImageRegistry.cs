namespace Onward.Core.Releases;

/// <summary>A container registry, as far as releases need one.</summary>
public interface IImageRegistry
{
    /// <summary>
    /// The digest an image reference (with a tag or a digest) stands for in its registry, or null when the registry
    /// has no such image.
    /// </summary>
    /// <exception cref="FormatException">Not an image reference.</exception>
    Task<string?> ResolveAsync(string reference, CancellationToken cancellationToken);
}
