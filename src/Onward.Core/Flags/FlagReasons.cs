namespace Onward.Core.Flags;

/// <summary>OpenFeature's resolution reasons that flagd produces (it never emits SPLIT: fractional hits are TARGETING_MATCH).</summary>
public static class FlagReasons
{
    public const string Static = "STATIC";
    public const string Default = "DEFAULT";
    public const string TargetingMatch = "TARGETING_MATCH";
    public const string Disabled = "DISABLED";
    public const string Error = "ERROR";
}
