using System.Text.Json.Serialization;

namespace Onward.Contracts.Flags;

/// <summary>What a flag change request does; the API names it <c>set</c>, <c>switch</c> or <c>remove-switch</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FlagRequestKind>))]
public enum FlagRequestKind
{
    /// <summary>Replaces the environment's own flag set (the payload is the document).</summary>
    [JsonStringEnumMemberName("set")]
    Set,

    /// <summary>Switches a flag (the payload is the switch).</summary>
    [JsonStringEnumMemberName("switch")]
    Switch,

    /// <summary>Removes a flag's switch.</summary>
    [JsonStringEnumMemberName("remove-switch")]
    RemoveSwitch,
}
