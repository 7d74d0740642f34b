using System.Text.Json.Nodes;

namespace Onward.Contracts.Flags;

/// <summary>A flag as an environment serves it (switch applied), with its source and the switch over it.</summary>
public sealed record FlagResponse(
    string Key, string State, JsonObject Variants, string? DefaultVariant, JsonObject? Targeting, JsonObject? Metadata, FlagSourceResponse Source, FlagSwitchResponse? Switch);
