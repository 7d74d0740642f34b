using Onward.Core.Configuration;
using Onward.Core.Releases;

namespace Onward.Core.Sources;

/// <summary>rule 1 of docs/ARCHITECTURE.md: which refs build, and what their releases are called.</summary>
public static class RefClassifier
{
    /// <returns>The release to make, or null with the reason the ref is ignored.</returns>
    public static (NewRelease? Release, string Reason) Classify(ServiceConfig service, RefHead head)
    {
        if (head.Kind == RefKind.Branch && service.MainBranches.Contains(head.Name))
        {
            return (new NewRelease(service.Name, Release.ShortHash(head.Commit), head.Commit, head.Name, head.Kind, false),
                $"head of main branch '{head.Name}'");
        }
        if (service.VersionRefPattern.IsMatch(head.Name))
        {
            if (VersionName.Problem(head.Name) is { } problem)
            {
                return (null, $"{head.Kind.ToString().ToLowerInvariant()} {problem}");
            }
            var candidate = head.Kind == RefKind.Tag && service.ReleaseCandidatePattern.IsMatch(head.Name);
            return (new NewRelease(service.Name, head.Name, head.Commit, head.Name, head.Kind, candidate),
                candidate ? $"release candidate tag '{head.Name}'" : $"version {head.Kind.ToString().ToLowerInvariant()} '{head.Name}'");
        }
        return (null, head.Kind == RefKind.Branch
            ? $"branch '{head.Name}' is neither a main branch ({string.Join(", ", service.MainBranches)}) nor a version"
            : $"tag '{head.Name}' does not match the version pattern {service.VersionRefPattern}");
    }
}
