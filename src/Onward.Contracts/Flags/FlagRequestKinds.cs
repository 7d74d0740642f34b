namespace Onward.Contracts.Flags;

/// <summary>A request's kind by the name the API, the audit trail and the database use.</summary>
public static class FlagRequestKinds
{
    public static string Name(this FlagRequestKind kind) => kind switch
    {
        FlagRequestKind.Set => "set",
        FlagRequestKind.Switch => "switch",
        FlagRequestKind.RemoveSwitch => "remove-switch",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static FlagRequestKind Parse(string name) =>
        Enum.GetValues<FlagRequestKind>().FirstOrDefault(k => k.Name() == name) is var kind && kind.Name() == name
            ? kind
            : throw new FormatException($"'{name}' is not a flag request kind");
}
