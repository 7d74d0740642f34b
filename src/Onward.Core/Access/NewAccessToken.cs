namespace Onward.Core.Access;

public sealed record NewAccessToken(string Name, Role Role, IReadOnlyList<string> Groups, string SecretHash, string CreatedBy)
{
    public DateTimeOffset? ExpiresAt { get; init; }

    public string? Environment { get; init; }
}
