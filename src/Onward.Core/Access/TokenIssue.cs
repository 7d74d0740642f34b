namespace Onward.Core.Access;

/// <summary>A token issued, with its secret (shown this once), or why none was.</summary>
public sealed record TokenIssue(AccessToken? Token, string? Secret, string? Problem)
{
    public static TokenIssue Refused(string problem) => new(null, null, problem);
}
