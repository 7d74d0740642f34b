namespace Onward.Core.Flags;

/// <summary>A flag as an environment serves it, with where it comes from and the switch over it, if any.</summary>
public sealed record EffectiveFlag(FlagDefinition Flag, StoredFlagSet Source, FlagSwitch? Switch);
