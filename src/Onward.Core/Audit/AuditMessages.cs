using Onward.Contracts.Flags;
using Onward.Core.Access;
using Onward.Core.Approvals;
using Onward.Core.Flags;
using Onward.Core.Freezes;

namespace Onward.Core.Audit;

/// <summary>
/// The words of the audit trail's entries (and of the notifications told with them), written once for every store
/// that records them.
/// </summary>
public static class AuditMessages
{
    public static string TokenCreated(long id, NewAccessToken token)
    {
        var groups = token.Groups.Count == 0 ? "no groups" : "groups " + string.Join(", ", token.Groups);
        var expiry = (token.ExpiresAt is { } e ? $", expiring {e.ToOffset(TimeSpan.Zero):yyyy-MM-dd HH:mm} UTC" : "")
            + (token.Environment is { } env ? $", for the flags of {env} only" : "");
        return $"token {id} for {token.Name} created with role {token.Role.ToString().ToLowerInvariant()} and {groups}{expiry}";
    }

    public static string TokenRevoked(AccessToken token, int sessionsEnded) =>
        $"token {token.Id} of {token.Name} revoked" + (sessionsEnded == 0 ? "" : $", ending {sessionsEnded} web session{(sessionsEnded == 1 ? "" : "s")}");

    public static string SessionEnded(long id, string name, string reason) => $"web session {id} of {name} ended: {reason}";

    public static string FreezeSet(string environment, DateTimeOffset until, string reason) =>
        $"{environment} frozen until {until.ToOffset(TimeSpan.Zero):yyyy-MM-dd HH:mm} UTC: {reason}";

    public static string FreezeLifted(EnvironmentFreeze freeze) => $"freeze of {freeze.Environment} set by {freeze.SetBy} ({freeze.Reason}) lifted";

    public static string FreezeRanOut(EnvironmentFreeze freeze) =>
        $"freeze of {freeze.Environment} set by {freeze.SetBy} ({freeze.Reason}) ended at {freeze.Until.ToOffset(TimeSpan.Zero):yyyy-MM-dd HH:mm} UTC";

    /// <summary>A flag's change: the audit action (<c>flag.switch</c>, <c>flag.set</c>, …) and its message.</summary>
    public static (string Action, string Message) FlagChanged(FlagChange change)
    {
        var fields = EnvironmentFlags.Diff(change.Before, change.After).Select(d => d.Field);
        var what = change.Before is null ? "added" : change.After is null ? "removed" : $"changed ({string.Join(", ", fields)})";
        return ("flag." + change.Source.Replace(' ', '-'), $"flag {change.Key} {what}" + (change.Comment is { Length: > 0 } comment ? $": {comment}" : ""));
    }

    public static string FlagRequested(long id, FlagChangeRequest request) =>
        $"flag change request {id} ({request.Kind.Name()}{(request.Key is null ? "" : " " + request.Key)}) waits for approval: {request.Comment}";

    public static (string Action, string Message) FlagDecided(long id, ApprovalDecision decision, string? comment) =>
        ("flag." + decision.ToString().ToLowerInvariant(), $"flag change request {id} {decision.ToString().ToLowerInvariant()}" + (comment is { Length: > 0 } ? $": {comment}" : ""));
}
