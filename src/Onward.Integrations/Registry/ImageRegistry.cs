using Onward.Core.Releases;
using Onward.Core.Images;

namespace Onward.Integrations.Registry;

/// <summary>The registry port of the core, over <see cref="RegistryClient"/>.</summary>
public sealed class ImageRegistry(RegistryClient client) : IImageRegistry
{
    public async Task<string?> ResolveAsync(string reference, CancellationToken cancellationToken) =>
        await client.ResolveDigestAsync(ImageReference.Parse(reference), cancellationToken);
}
