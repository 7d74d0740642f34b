using Onward.Core.Builds;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Sources;
using Onward.Core.Images;
using Onward.Core.Insight;

namespace Onward.Core.Releases;

/// <summary>
/// An external CI registers an image it built: Onward checks the commit is the service's, the image exists in the
/// registry, pins its digest, and from then on treats it like its own build.
/// </summary>
public sealed class ReleaseRegistrations(
    ConfigSource configuration,
    IReleaseStore releases,
    ISourceRepository source,
    IImageRegistry registry,
    TimeProvider time)
{
    private OnwardConfig config => configuration.Current;

    /// <returns>The release (<c>Created</c> false when exactly this registration was made before), or why not.</returns>
    public async Task<(Release? Release, bool Created, RequestError Error, string? Detail)> RegisterAsync(
        string serviceName, string commit, string? reference, string image, CancellationToken cancellationToken)
    {
        if (config.FindService(serviceName) is not { } service)
        {
            return (null, false, RequestError.NotFound, $"unknown service '{serviceName}'; known services: {string.Join(", ", config.Services.Select(s => s.Name))}");
        }
        if (service.Build.External is not { } external)
        {
            return (null, false, RequestError.Invalid, $"{service.Name} is built by Onward; only services with `build: {{ external: {{ image: … }} }}` are registered");
        }
        if (!CommitId.IsFull(commit))
        {
            return (null, false, RequestError.Invalid, CommitId.Problem("commit", commit) + "; register the exact commit the image was built from");
        }
        if (!ImageReference.TryParse(image, out var parsed, out var problem))
        {
            return (null, false, RequestError.Invalid, problem);
        }
        var repository = parsed.Name;
        if (repository != external.Image)
        {
            return (null, false, RequestError.Invalid, $"{image} is not in {service.Name}'s image repository {external.Image}");
        }
        var full = await source.ResolveCommitAsync(service.Name, commit, cancellationToken);
        if (full is null)
        {
            await source.FetchAsync(service.Name, service.Repository, cancellationToken);
            full = await source.ResolveCommitAsync(service.Name, commit, cancellationToken);
        }
        if (full is null)
        {
            return (null, false, RequestError.Invalid, $"commit '{commit}' is not in {service.Name}'s repository {service.Repository}; push it first");
        }
        var head = Head(service, reference, full);
        if (head is null)
        {
            return (null, false, RequestError.Invalid, $"ref '{reference}' neither is a main branch ({string.Join(", ", service.MainBranches)}) nor matches {service.VersionRefPattern}");
        }
        var (candidate, reason) = RefClassifier.Classify(service, head);
        if (candidate is null)
        {
            return (null, false, RequestError.Invalid, reason);
        }
        string? digest;
        try
        {
            digest = await registry.ResolveAsync(image, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (null, false, RequestError.Invalid, $"cannot check {image}: {e.Message}");
        }
        if (digest is null)
        {
            return (null, false, RequestError.Invalid, $"{image} does not exist in its registry; push it before registering it");
        }
        var (span, traced) = ReleaseTraces.Begin(candidate, "registration");
        var release = await releases.AddBuiltAsync(traced, new BuildResult(null, repository, digest), time.GetUtcNow(), cancellationToken);
        ReleaseTraces.End(span, release);
        if (release is not null)
        {
            return (release, true, RequestError.None, null);
        }
        var existing = (await releases.FindAsync(service.Name, candidate.Version, cancellationToken))!;
        return existing.Commit == full && existing.Digest == digest
            ? (existing, false, RequestError.None, null)
            : (null, false, RequestError.Invalid, $"{service.Name} {candidate.Version} is already released ({Release.ShortHash(existing.Commit)}, {existing.Digest}); versions are never reused");
    }

    private static RefHead? Head(ServiceConfig service, string? reference, string commit)
    {
        if (reference is null)
        {
            return new RefHead(service.MainBranches[0], RefKind.Branch, commit);
        }
        if (reference.StartsWith("refs/heads/", StringComparison.Ordinal))
        {
            return new RefHead(reference["refs/heads/".Length..], RefKind.Branch, commit);
        }
        if (reference.StartsWith("refs/tags/", StringComparison.Ordinal))
        {
            return new RefHead(reference["refs/tags/".Length..], RefKind.Tag, commit);
        }
        return service.MainBranches.Contains(reference) ? new RefHead(reference, RefKind.Branch, commit)
            : service.VersionRefPattern.IsMatch(reference) ? new RefHead(reference, RefKind.Tag, commit)
            : null;
    }
}
