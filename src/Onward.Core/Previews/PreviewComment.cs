using Onward.Core.Configuration;
using Onward.Core.Releases;

namespace Onward.Core.Previews;

/// <summary>
/// The one comment Onward keeps on a pull request: the preview's URL, commit and state. Its first line is a mark
/// (<see cref="Mark"/>) that finds it again when its id was lost, and that nobody without the token can forge: a
/// comment someone else wrote with a copied mark is never taken for Onward's.
/// </summary>
public static class PreviewComment
{
    /// <summary>
    /// The comment's first line, an HTML comment the host does not show, with a digest keyed by the report token (it
    /// tells nothing of the token) of the service and the pull request.
    /// </summary>
    public static string Mark(string token, string service, long number)
    {
        var digest = System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token),
            System.Text.Encoding.UTF8.GetBytes($"onward-preview/{service}/{number}"));
        return $"<!-- onward-preview {service} {Convert.ToHexStringLower(digest)[..24]} -->";
    }

    public static string Of(Preview preview, Uri linkBase, string mark)
    {
        var state = preview.State switch
        {
            PreviewState.Waiting => "⏳ **waiting**: as many previews as `previews.max` allows run already; this one starts when one of them goes",
            PreviewState.Building => "🔨 **building**",
            PreviewState.Deploying => "🚀 **verifying** the deployment",
            PreviewState.Ready => preview.Url is { } url ? $"✅ **ready** at {url}" : "✅ **ready**",
            PreviewState.Failed => $"❌ **failed**: {Code((preview.Failure ?? "no reason given").Split('\n')[0])}",
            PreviewState.Destroying => "🧹 **being destroyed**" + (preview.Ending is { } ending ? ": " + Code(ending) : ""),
            _ => "🗑️ **destroyed**" + (preview.Ending is { } why ? ": " + Code(why) : ""),
        };
        var lines = new List<string>
        {
            mark,
            $"**Preview** `{preview.Environment}` of {Code(preview.Branch)} at `{Release.ShortHash(preview.Commit)}`: {state}",
        };
        if (preview.Url is { } address && preview.State is not (PreviewState.Ready or PreviewState.Destroyed or PreviewState.Waiting))
        {
            lines.Add($"URL: {address}");
        }
        var link = preview.DeploymentId is { } id ? new Uri(linkBase, $"deployments/{id}") : new Uri(linkBase, "previews");
        lines.Add($"[In Onward]({link})");
        return string.Join("\n\n", lines);
    }

    /// <summary>Text from outside (a branch, a reason) as a code span that nothing in it can end, on one line.</summary>
    private static string Code(string text) =>
        "`" + Messages.TextCut.Within(text.Replace('`', '\'').Replace('\n', ' ').Replace('\r', ' ').Trim(), 300) + "`";
}
