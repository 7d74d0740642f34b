using Onward.Core.Configuration;

namespace Onward.Core.Freezes;

/// <summary>Whether an environment is frozen at a moment, from its recurring windows and its ad-hoc freezes.</summary>
public static class FreezeCalendar
{
    /// <returns>The freeze in force at <paramref name="now"/>, with the moment all freezes in force have ended, or null.</returns>
    public static ActiveFreeze? At(string environment, IReadOnlyList<FreezeWindow> windows, IReadOnlyList<EnvironmentFreeze> adHoc, DateTimeOffset now)
    {
        ActiveFreeze? first = null;
        var until = now;
        // Windows that overlap or touch make one long freeze; follow them to its end (bounded, a window lasts at most a year).
        for (var i = 0; i < 64; i++)
        {
            var found = Covering(environment, windows, adHoc, until);
            if (found is null || found.Until <= until)
            {
                break;
            }
            first ??= found;
            until = found.Until;
        }
        return first is null ? null : first with { Until = until };
    }

    private static ActiveFreeze? Covering(string environment, IReadOnlyList<FreezeWindow> windows, IReadOnlyList<EnvironmentFreeze> adHoc, DateTimeOffset at)
    {
        ActiveFreeze? best = null;
        foreach (var freeze in adHoc)
        {
            if (freeze.LiftedAt is null && freeze.SetAt <= at && freeze.Until > at && (best is null || freeze.Until > best.Until))
            {
                best = new ActiveFreeze(freeze.Until, $"{environment} is frozen by {freeze.SetBy}: {freeze.Reason}");
            }
        }
        foreach (var window in windows)
        {
            var start = window.Expression
                .GetOccurrences(at - window.Duration, at, window.Zone, fromInclusive: false, toInclusive: true)
                .LastOrDefault();
            if (start != default && start + window.Duration > at && (best is null || start + window.Duration > best.Until))
            {
                best = new ActiveFreeze(start + window.Duration, $"{environment} is in its freeze window {window}, which began {start.ToOffset(TimeSpan.Zero):yyyy-MM-dd HH:mm} UTC");
            }
        }
        return best;
    }
}
