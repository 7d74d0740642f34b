namespace Onward.Contracts.Flags;

/// <summary>The answer to replacing an environment's own flag set: how many flags it now holds.</summary>
public sealed record FlagSetReplacedResponse(string Environment, int Flags);
