namespace Onward.Core.Flags;

/// <summary>A user's first evaluation of an experiment's flag: which variant they were shown, and when.</summary>
public sealed record Exposure(string Environment, string FlagKey, string TargetingKey, string Variant, DateTimeOffset At);
