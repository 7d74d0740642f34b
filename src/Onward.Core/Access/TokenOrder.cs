namespace Onward.Core.Access;

/// <summary>What an admin asks a token to be, as the API and the CLI receive it: a role by name, a lifetime such as <c>90d</c>.</summary>
public sealed record TokenOrder(string? Name, string? Role, IReadOnlyList<string?>? Groups, string? Expires, string? Environment);
