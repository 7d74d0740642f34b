namespace Onward.Contracts.Flags;

public sealed record FlagDecisionResponse(string By, string Decision, string? Comment, DateTimeOffset At);
