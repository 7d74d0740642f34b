namespace Onward.Integrations.Git;

/// <param name="reason">What git said, without the command: for a person who reads why a repository cannot be read.</param>
public sealed class GitException(string message, string? reason = null) : Exception(message)
{
    public string Reason { get; } = reason ?? message;
}
