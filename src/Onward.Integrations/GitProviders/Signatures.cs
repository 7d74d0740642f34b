using System.Security.Cryptography;
using System.Text;

namespace Onward.Integrations.GitProviders;

/// <summary>Webhook signature checks, always in constant time so that a signature cannot be guessed byte by byte.</summary>
public static class Signatures
{
    /// <summary>Hex HMAC-SHA256 of the body; GitHub, Gitea and Bitbucket all sign this way.</summary>
    public static string HmacSha256Hex(string secret, byte[] body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static bool HexMatches(string? given, string secret, byte[] body) =>
        given is not null && SameText(given.Trim().ToLowerInvariant(), HmacSha256Hex(secret, body));

    public static bool SameText(string? a, string b) =>
        a is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
