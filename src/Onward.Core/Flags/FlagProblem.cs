namespace Onward.Core.Flags;

/// <summary>What is wrong with a flag document, at a JSON path (<c>$.flags.new-checkout.defaultVariant</c>), and how to fix it.</summary>
/// <param name="Targeting">
/// A targeting rule that cannot run (unknown operator, <c>$ref</c> to nothing). flagd loads such a flag and answers
/// PARSE_ERROR for it; Onward refuses to store a document with any problem.
/// </param>
public sealed record FlagProblem(string Path, string Message, bool Targeting = false)
{
    public override string ToString() => $"{Path}: {Message}";
}
