using Onward.Core.Images;
using Onward.Core.Releases;

namespace Onward.Testing.Fakes;

/// <summary>A registry in memory: the images a test pushed, by their normalised reference, and their digests.</summary>
public sealed class FakeImageRegistry : IImageRegistry
{
    private readonly Dictionary<string, string> _digests = new(StringComparer.Ordinal);

    /// <summary>Puts an image in the registry under <paramref name="reference"/> (with a tag); it can be resolved by tag and by digest.</summary>
    public void Push(string reference, string digest)
    {
        lock (_digests)
        {
            var image = ImageReference.Parse(reference);
            _digests[image.ToString()] = digest;
            _digests[image.PinnedTo(digest).ToString()] = digest;
        }
    }

    public Task<string?> ResolveAsync(string reference, CancellationToken cancellationToken)
    {
        var image = ImageReference.Parse(reference).ToString();
        lock (_digests)
        {
            return Task.FromResult(_digests.GetValueOrDefault(image));
        }
    }
}
