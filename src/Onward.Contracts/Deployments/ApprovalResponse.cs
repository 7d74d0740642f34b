namespace Onward.Contracts.Deployments;

public sealed record ApprovalResponse(string By, string Decision, string? Comment, DateTimeOffset At);
