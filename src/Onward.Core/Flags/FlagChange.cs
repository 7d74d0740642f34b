using System.Text.Json.Nodes;

namespace Onward.Core.Flags;

/// <summary>
/// One change to one flag in one environment, for its history: who, when, why, through what (<see cref="FlagChangeSources"/>),
/// and the flag's effective definition before and after (null when it did not exist).
/// </summary>
public sealed record FlagChange(
    long Id, string Environment, string Key, string Actor, DateTimeOffset At, string? Comment, string Source, JsonObject? Before, JsonObject? After, long? DeploymentId);
