using Onward.Core.Configuration;
using Onward.Core.Releases;

namespace Onward.Core.Previews;

/// <summary>
/// The one comment Onward keeps on a pull request: the preview's URL, commit and state. A mark no person writes
/// (<see cref="Mark"/>) finds it again when its id was lost.
/// </summary>
public static class PreviewComment
{
    /// <summary>The comment's first line, an HTML comment the host does not show.</summary>
    public static string Mark(string service) => $"<!-- onward-preview {service} -->";

    public static string Of(Preview preview, Uri linkBase)
    {
        var state = preview.State switch
        {
            PreviewState.Waiting => "⏳ **waiting**: as many previews as `previews.max` allows run already; this one starts when one of them goes",
            PreviewState.Building => "🔨 **building**",
            PreviewState.Deploying => "🚀 **verifying** the deployment",
            PreviewState.Ready => preview.Url is { } url ? $"✅ **ready** at {url}" : "✅ **ready**",
            PreviewState.Failed => $"❌ **failed**: {Code(preview.Failure ?? "no reason given")}",
            PreviewState.Destroying => "🧹 **being destroyed**: " + Code(preview.Ending ?? ""),
            _ => "🗑️ **destroyed**: " + Code(preview.Ending ?? ""),
        };
        var lines = new List<string>
        {
            Mark(preview.Service),
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
