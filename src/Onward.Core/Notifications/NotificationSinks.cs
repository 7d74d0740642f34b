using Onward.Core.Configuration;

namespace Onward.Core.Notifications;

/// <summary>
/// The sinks Onward names itself, beside the notifications named in <c>onward.yaml</c> (whose names hold no colon):
/// a service's commit statuses and its deployments on the git host. Their deliveries about one commit are sent in the
/// order of their events, a later one waiting behind an earlier one that is to be tried again, since the host keeps
/// the last status it was sent; notifications are not held back by an earlier one that failed.
/// </summary>
public static class NotificationSinks
{
    /// <summary>A service's commit statuses: <c>report:SERVICE</c>.</summary>
    public const string Report = "report:";

    /// <summary>A service's deployments on its git host (GitHub, GitLab): <c>deployments:SERVICE</c>.</summary>
    public const string Deployments = "deployments:";

    /// <summary>Every sink of the configuration: the notifications', then each reporting service's statuses and deployments.</summary>
    public static IReadOnlyList<string> All(OnwardConfig config) =>
        [
            .. config.Notifications.Select(n => n.Name),
            .. config.Services.Where(s => s.Report is not null).Select(s => Report + s.Name),
            .. config.Services.Where(s => s.Report is { KeepsDeployments: true }).Select(s => Deployments + s.Name),
        ];

    /// <summary>The service's <c>report</c> a sink of Onward's own reports to, and whether it is the deployments sink; null for a notification's or an unknown one.</summary>
    public static (ReportConfig Report, bool ToDeployments)? ReportOf(OnwardConfig config, string sink) =>
        sink.StartsWith(Report, StringComparison.Ordinal) && config.FindService(sink[Report.Length..])?.Report is { } statuses ? (statuses, false)
        : sink.StartsWith(Deployments, StringComparison.Ordinal) && config.FindService(sink[Deployments.Length..])?.Report is { } deployments ? (deployments, true)
        : null;

    public static bool KeepsCommitOrder(string sink) =>
        sink.StartsWith(Report, StringComparison.Ordinal) || sink.StartsWith(Deployments, StringComparison.Ordinal);

    /// <summary>The SQL condition (on a delivery aliased <paramref name="alias"/>) of <see cref="KeepsCommitOrder"/>.</summary>
    public static string KeepsCommitOrderSql(string alias) => $"({alias}.sink LIKE '{Report}%' OR {alias}.sink LIKE '{Deployments}%')";
}
