using System.Text.Json.Serialization;

namespace Onward.Contracts.Flags;

/// <summary>Where a flag change request stands; the API sends these names as they are.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FlagRequestState>))]
public enum FlagRequestState
{
    Pending,
    Applied,
    Rejected,

    /// <summary>Not decided within the environment's approval expiry.</summary>
    Expired,

    /// <summary>Approved, but the change no longer applied (the flag was gone, or the document no longer fit); the reason is in the outcome.</summary>
    Failed,
}
