using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Onward.Core.Access;

/// <summary>
/// Token secrets are 256 random bits, so a plain SHA-256 of them is enough to store: there is nothing to guess that a
/// slow hash would protect.
/// </summary>
public static class TokenSecrets
{
    public const string Prefix = "onw_";

    public static string Generate() =>
        Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
