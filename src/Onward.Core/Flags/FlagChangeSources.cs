namespace Onward.Core.Flags;

/// <summary>What made a flag change: a release verified (or restored) in the environment, the environment's own set, or a switch.</summary>
public static class FlagChangeSources
{
    public const string Release = "release";
    public const string Environment = "environment";
    public const string Switch = "switch";
    public const string SwitchRemoved = "switch removed";
}
