using System.Globalization;
using System.Text.RegularExpressions;

namespace Onward.Core.Configuration;

/// <summary>Durations as people write them in config: <c>500ms</c>, <c>30s</c>, <c>10m</c>, <c>2h</c>, <c>1h30m</c>, <c>1d</c>.</summary>
public static partial class DurationText
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = DurationRegex().Match(text.Trim());
        if (!match.Success || text.Trim().Length == 0)
        {
            return false;
        }
        try
        {
            duration = Sum(match);
        }
        catch (OverflowException)
        {
            return false;
        }
        return true;
    }

    private static TimeSpan Sum(Match match)
    {
        var duration = TimeSpan.Zero;
        foreach (Capture capture in match.Groups["part"].Captures)
        {
            var part = PartRegex().Match(capture.Value);
            var number = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            duration += part.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                "h" => TimeSpan.FromHours(number),
                _ => TimeSpan.FromDays(number),
            };
        }
        return duration;
    }

    public static string Format(TimeSpan duration) =>
        duration.TotalMilliseconds < 1000 ? $"{duration.TotalMilliseconds:0}ms"
        : duration.TotalSeconds < 60 ? $"{duration.TotalSeconds:0.#}s"
        : duration.TotalMinutes < 60 ? $"{(int)duration.TotalMinutes}m{duration.Seconds:00}s"
        : $"{(int)duration.TotalHours}h{duration.Minutes:00}m";

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(ms|s|m|h|d))+$")]
    private static partial Regex DurationRegex();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h|d)$")]
    private static partial Regex PartRegex();
}
