namespace Onward.Contracts.Flags;

/// <summary><c>POST …/flags/requests/{id}/approve|reject</c>.</summary>
public sealed record FlagDecisionRequest(string? Comment);
