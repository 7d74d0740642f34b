namespace Onward.Core.Audit;

public sealed record AuditQuery(string? Service, string? Environment, string? Actor, int Limit)
{
    /// <summary>The <see cref="AuditEntry.Cursor"/> of the last entry seen: the next page holds only older entries.</summary>
    public string? Before { get; init; }
}
