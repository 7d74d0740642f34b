using Onward.Core.Releases;

namespace Onward.Core.Sources;

/// <summary>A ref of a repository and the commit it points at (annotated tags already peeled to their commit).</summary>
public sealed record RefHead(string Name, RefKind Kind, string Commit);
