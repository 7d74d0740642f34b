namespace Onward.Core.Access;

/// <summary>A person as the provider vouched for them at sign-in.</summary>
/// <param name="Subject"><c>issuer#sub</c>: who they are, whatever they are called.</param>
/// <param name="Username">What they are called (the configured claim, else preferred_username, email, sub).</param>
public sealed record PersonSignIn(string Subject, string Username, string? Email, Role Role, IReadOnlyList<string> Groups, IReadOnlyList<RoleRule> Teams);
