using System.Text;
using System.Text.Json.Nodes;

namespace Onward.Core.Flags;

/// <summary>What a switch asks of a flag: its state (ENABLED or DISABLED), default variant and targeting, each only when given.</summary>
public sealed record FlagSwitchOrder(string? State, string? DefaultVariant, JsonObject? Targeting)
{
    /// <summary>The largest targeting a switch carries; larger rules belong in the flag document.</summary>
    public const int MostTargetingBytes = 64 * 1024;

    public bool? Enabled => State is null ? null : State == "ENABLED";

    /// <summary>Why the order cannot be a switch at all, or null.</summary>
    public string? Refusal() =>
        this is { State: null, DefaultVariant: null, Targeting: null } ? "send at least one of `state` (ENABLED or DISABLED), `defaultVariant` or `targeting` ({} for none)"
        : State is not (null or "ENABLED" or "DISABLED") ? $"`state` is \"{State}\"; it is ENABLED or DISABLED"
        : Targeting is not null && Encoding.UTF8.GetByteCount(Targeting.ToJsonString()) > MostTargetingBytes
            ? "`targeting` is over 64 KiB; keep rules small, or put them in the flag document"
        : null;

    /// <summary>As a request for approval keeps it (and as <c>PATCH …/flags/{key}</c> takes it).</summary>
    public string ToPayload() => new JsonObject
    {
        ["state"] = State,
        ["defaultVariant"] = DefaultVariant,
        ["targeting"] = Targeting?.DeepClone(),
    }.ToJsonString();

    public static FlagSwitchOrder FromPayload(string payload)
    {
        var body = JsonNode.Parse(payload)!.AsObject();
        return new FlagSwitchOrder(body["state"]?.GetValue<string>(), body["defaultVariant"]?.GetValue<string>(), body["targeting"] as JsonObject);
    }
}
