using System.Text.Json.Nodes;

namespace Onward.Core.Flags;

/// <summary>
/// The outcome of evaluating one flag, as flagd reports it: a value and variant (absent for DISABLED and for a code
/// default), a reason (<see cref="FlagReasons"/>), and on failure an error code (<see cref="FlagErrorCodes"/>) with details.
/// </summary>
public sealed record FlagResolution(
    string Key,
    JsonNode? Value,
    string? Variant,
    string Reason,
    string? ErrorCode,
    string? ErrorDetails,
    IReadOnlyDictionary<string, JsonNode?> Metadata)
{
    public bool HasValue => Variant is not null;
}
