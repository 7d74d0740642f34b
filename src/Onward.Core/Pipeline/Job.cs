namespace Onward.Core.Pipeline;

/// <summary>A unit of durable work, leased by one worker at a time.</summary>
public sealed record Job(long Id, JobKind Kind, long Subject, int Attempts, DateTimeOffset DueAt);
