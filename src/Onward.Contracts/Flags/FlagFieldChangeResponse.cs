namespace Onward.Contracts.Flags;

/// <summary>A field of a flag before and after a change, in compact JSON (null: absent).</summary>
public sealed record FlagFieldChangeResponse(string Field, string? Before, string? After);
