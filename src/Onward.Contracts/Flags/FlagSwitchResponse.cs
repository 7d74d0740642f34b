using System.Text.Json.Nodes;

namespace Onward.Contracts.Flags;

/// <summary>The parts of a flag switched in the environment (null: not switched), by whom, when and why.</summary>
public sealed record FlagSwitchResponse(string? State, string? DefaultVariant, JsonObject? Targeting, string Actor, string Comment, DateTimeOffset At);
