namespace Onward.Integrations.Git;

public sealed class GitException(string message) : Exception(message);
