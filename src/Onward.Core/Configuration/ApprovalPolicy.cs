namespace Onward.Core.Configuration;

/// <summary>An environment's approval gate (rule 7 of docs/ARCHITECTURE.md).</summary>
/// <param name="Required">How many distinct people must approve.</param>
/// <param name="Approvers">The groups whose members may approve; a token carries its groups.</param>
/// <param name="AllowSelfApproval">Whether the requester may approve their own request; false by default.</param>
/// <param name="IncludeAutoPromotions">Whether deployments Onward starts itself (autoDeploy, autoPromote) wait for approval too.</param>
/// <param name="Expiry">How long a request waits for decisions before it is cancelled.</param>
public sealed record ApprovalPolicy(
    int Required,
    IReadOnlyList<string> Approvers,
    bool AllowSelfApproval,
    bool IncludeAutoPromotions,
    TimeSpan Expiry)
{
    public static readonly TimeSpan DefaultExpiry = TimeSpan.FromDays(3);
}
