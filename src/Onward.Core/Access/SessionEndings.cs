namespace Onward.Core.Access;

/// <summary>Why a web session ended, as it is kept and shown.</summary>
public static class SessionEndings
{
    public const string SignedOut = "signed out";
    public const string TokenRevoked = "token revoked";
    public const string SignedInAgain = "signed in again";

    public static string EndedBy(string actor) => $"ended by {actor}";
}
