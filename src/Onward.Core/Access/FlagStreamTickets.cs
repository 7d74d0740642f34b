using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Onward.Core.Access;

/// <summary>
/// Tickets for OFREP's change-notification stream, whose URL a client opens without headers (a browser's
/// EventSource cannot send any): <c>ID.EXPIRES.MAC</c>, the MAC an HMAC-SHA256 of the environment, the token's id and the
/// expiry, keyed with the token's stored secret hash. So a ticket is bound to one environment, never holds the
/// token, ends with the token (revoked or expired) and after a day, and every replica can check it.
/// </summary>
public sealed class FlagStreamTickets(ITokenStore store, TimeProvider time)
{
    /// <summary>A ticket works at least this long (its expiry is rounded up to the hour, so that bulk answers stay alike).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    public const int LongestTicket = 200;

    public string Issue(AccessToken token, string secret, string environment)
    {
        var hour = time.GetUtcNow().ToUnixTimeSeconds() / 3600;
        var expires = (hour + 1) * 3600 + (long)Lifetime.TotalSeconds;
        return $"{token.Id.ToString(CultureInfo.InvariantCulture)}.{expires.ToString(CultureInfo.InvariantCulture)}.{Mac(TokenSecrets.Hash(secret), environment, token.Id, expires)}";
    }

    /// <summary>Whether <paramref name="ticket"/> opens <paramref name="environment"/>'s stream now.</summary>
    public async Task<bool> ValidAsync(string? ticket, string environment, CancellationToken cancellationToken)
    {
        var parts = ticket is { Length: > 0 and <= LongestTicket } ? ticket.Split('.') : [];
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || expires <= time.GetUtcNow().ToUnixTimeSeconds())
        {
            return false;
        }
        var hash = await store.ActiveSecretHashAsync(id, time.GetUtcNow(), cancellationToken);
        return hash is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Mac(hash, environment, id, expires)), Encoding.ASCII.GetBytes(parts[2]));
    }

    private static string Mac(string secretHash, string environment, long id, long expires) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretHash), Encoding.UTF8.GetBytes($"ofrep-events|{environment}|{id}|{expires}")));
}
