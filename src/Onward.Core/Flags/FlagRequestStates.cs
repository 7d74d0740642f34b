namespace Onward.Core.Flags;

public static class FlagRequestStates
{
    public const string Pending = "Pending";
    public const string Applied = "Applied";
    public const string Rejected = "Rejected";

    /// <summary>Not decided within the environment's approval expiry.</summary>
    public const string Expired = "Expired";

    /// <summary>Approved, but the change no longer applied (the flag was gone, or the document no longer fit); the reason is in the outcome.</summary>
    public const string Failed = "Failed";
}
