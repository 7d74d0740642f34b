namespace Onward.Contracts.Tokens;

/// <summary>A person who signed in with the company's provider, as admins list them.</summary>
/// <param name="Id">Their record's id: <c>DELETE /api/v1/tokens/{id}</c> revokes their access (their sessions end, their sign-ins are refused).</param>
/// <param name="Subject"><c>issuer#sub</c>: who they are to the provider, whatever they are called.</param>
/// <param name="Role">Their role everywhere, from their groups at their last sign-in.</param>
/// <param name="Teams">Roles they hold only for some services or environments, e.g. <c>deployer of shop, billing (group shop-team)</c>.</param>
public sealed record PersonResponse(
    long Id,
    string Name,
    string Subject,
    string? Email,
    string Role,
    IReadOnlyList<string> Groups,
    IReadOnlyList<string> Teams,
    DateTimeOffset FirstSignedInAt,
    DateTimeOffset? LastSignedInAt,
    DateTimeOffset? RevokedAt);
