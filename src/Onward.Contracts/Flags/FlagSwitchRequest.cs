using System.Text.Json.Nodes;

namespace Onward.Contracts.Flags;

/// <summary><c>PATCH /environments/{env}/flags/{key}</c>: the parts to switch (at least one) and why.</summary>
public sealed record FlagSwitchRequest(string? State, string? DefaultVariant, JsonObject? Targeting, string? Comment);
