namespace Onward.Cli.Commands;

/// <summary>The command line asks for something that cannot be: told in one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
