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
                best = new ActiveFreeze(freeze.Until, $"{environment} is frozen by {freeze.SetBy}: {freeze.Reason}") { Began = freeze.SetAt };
            }
        }
        foreach (var window in windows)
        {
            var start = LatestStart(window, at);
            if (start is not null && start + window.Duration > at && (best is null || start + window.Duration > best.Until))
            {
                best = new ActiveFreeze(start.Value + window.Duration, $"{environment} is in its freeze window {window}, which began {start.Value.ToOffset(TimeSpan.Zero):yyyy-MM-dd HH:mm} UTC")
                {
                    Began = start.Value,
                };
            }
        }
        return best;
    }

    /// <summary>The last start of the window at or before <paramref name="at"/> and after <c>at - duration</c>, or null.</summary>
    /// <remarks>
    /// Cron has no "previous occurrence"; listing every occurrence of a year-long window of a minutely cron would be
    /// half a million. Looking back over a span that doubles finds a start in a few steps, and walking forward from it
    /// to the last one before <paramref name="at"/> takes few more.
    /// </remarks>
    private static DateTimeOffset? LatestStart(FreezeWindow window, DateTimeOffset at)
    {
        var earliest = at - window.Duration;
        for (var span = TimeSpan.FromMinutes(1); ; span *= 2)
        {
            var from = span < window.Duration ? at - span : earliest;
            var found = window.Expression.GetNextOccurrence(from, window.Zone, inclusive: false);
            if (found is { } start && start <= at)
            {
                while (window.Expression.GetNextOccurrence(start, window.Zone, inclusive: false) is { } next && next <= at)
                {
                    start = next;
                }
                return start;
            }
            if (from == earliest)
            {
                return null;
            }
        }
    }
}
