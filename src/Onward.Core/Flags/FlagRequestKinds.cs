namespace Onward.Core.Flags;

public static class FlagRequestKinds
{
    public const string Set = "set";
    public const string Switch = "switch";
    public const string RemoveSwitch = "remove-switch";
}
