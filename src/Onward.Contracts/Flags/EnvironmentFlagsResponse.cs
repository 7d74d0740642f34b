namespace Onward.Contracts.Flags;

public sealed record EnvironmentFlagsResponse(string Environment, IReadOnlyList<FlagResponse> Flags);
