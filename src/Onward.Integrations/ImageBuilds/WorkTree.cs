using Onward.Integrations.Git;

namespace Onward.Integrations.ImageBuilds;

/// <summary>A clean work tree of one commit for a build, cloned from the mirror, never the mirror itself.</summary>
public static class WorkTree
{
    /// <summary>--shared borrows the mirror's objects instead of copying them; the build must not see or change other refs.</summary>
    public static async Task CloneAsync(string mirror, string commit, string directory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
        await GitCli.RequireAsync(null, ["clone", "--quiet", "--shared", "--no-checkout", mirror, directory], cancellationToken);
        await GitCli.RequireAsync(directory, ["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit], cancellationToken);
    }
}
