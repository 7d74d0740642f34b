using System.Text.RegularExpressions;

namespace Onward.Core.Notifications;

/// <summary>
/// Why a delivery failed, in two readings: admins see what the receiver answered (up to 200 characters of its body,
/// which may echo a token or an internal address), everyone else the host, the status and whether it is tried again.
/// </summary>
public static partial class DeliveryErrors
{
    /// <summary>Between the reason and the receiver's answer in a kept error.</summary>
    public const string Answered = " — it answered: ";

    public const string NotRetried = " (not tried again: fix the configuration)";

    /// <summary>The error without the receiver's answer.</summary>
    public static string? ForViewers(string? error)
    {
        if (error is null)
        {
            return null;
        }
        var marker = error.IndexOf(Answered, StringComparison.Ordinal);
        if (marker >= 0)
        {
            return error[..marker] + (error.EndsWith(NotRetried, StringComparison.Ordinal) ? NotRetried : "");
        }
        // Kept before the two were apart: "HOST answered 403 Forbidden: BODY (not tried again: …)".
        return EarlierRegex().Match(error) is { Success: true } m ? m.Groups[1].Value + (error.EndsWith(NotRetried, StringComparison.Ordinal) ? NotRetried : "") : error;
    }

    [GeneratedRegex(@"^(\S+ answered \d{3}[^:]*): ", RegexOptions.Singleline)]
    private static partial Regex EarlierRegex();
}
