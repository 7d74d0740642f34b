namespace Onward.Core.Configuration;

/// <summary>One thing wrong with a config file: where, what, and how to fix it.</summary>
public sealed record ConfigProblem(string File, int Line, int Column, string Path, string Message, string Hint)
{
    public override string ToString() =>
        $"{File}:{Line}:{Column}: {(Path.Length > 0 ? Path + ": " : "")}{Message}{(Hint.Length > 0 ? " (fix: " + Hint + ")" : "")}";
}
