namespace Onward.Core.Audit;

public sealed record AuditQuery(string? Service, string? Environment, string? Actor, int Limit);
