using System.Text.Json.Nodes;

namespace Onward.Core.Flags;

/// <summary>
/// A change to one flag in one environment made by a person (the kill switch, a new default, other targeting), kept
/// over whatever the flag's source says, across later releases, until it is removed. Null parts are not switched.
/// </summary>
public sealed record FlagSwitch(
    string Environment, string Key, bool? Enabled, string? DefaultVariant, JsonObject? Targeting, string Actor, string Comment, DateTimeOffset At)
{
    public const int LongestComment = 1000;
}
