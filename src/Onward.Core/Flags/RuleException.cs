namespace Onward.Core.Flags;

/// <summary>A targeting rule that cannot be compiled (an unknown operator, a dangling <c>$ref</c>), with the JSON path of the problem.</summary>
public sealed class RuleException(string path, string message) : Exception(message)
{
    public string Path { get; } = path;
}
