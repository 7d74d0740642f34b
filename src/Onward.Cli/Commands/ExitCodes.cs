namespace Onward.Cli.Commands;

/// <summary>What the CLI's exit codes mean (the README's "Using Onward").</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    /// <summary><c>onward health</c>: still progressing.</summary>
    public const int Progressing = 2;
}
