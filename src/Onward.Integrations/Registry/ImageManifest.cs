namespace Onward.Integrations.Registry;

public sealed record Descriptor(string MediaType, string Digest, long Size);

/// <summary>A single-platform image manifest: its config blob and its layers, bottom first.</summary>
public sealed record ImageManifest(string Digest, Descriptor Config, IReadOnlyList<Descriptor> Layers);
