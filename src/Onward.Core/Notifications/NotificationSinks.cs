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

    public static bool KeepsCommitOrder(string sink) =>
        sink.StartsWith(Report, StringComparison.Ordinal) || sink.StartsWith(Deployments, StringComparison.Ordinal);

    /// <summary>The SQL condition (on a delivery aliased <paramref name="alias"/>) of <see cref="KeepsCommitOrder"/>.</summary>
    public static string KeepsCommitOrderSql(string alias) => $"({alias}.sink LIKE '{Report}%' OR {alias}.sink LIKE '{Deployments}%')";
}
