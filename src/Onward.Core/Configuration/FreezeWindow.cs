using Cronos;

namespace Onward.Core.Configuration;

/// <summary>A recurring freeze: it starts at each occurrence of <see cref="Cron"/> in <see cref="Zone"/> and lasts <see cref="Duration"/>.</summary>
public sealed record FreezeWindow(string Cron, TimeSpan Duration, string TimeZone)
{
    public required CronExpression Expression { get; init; }

    public required TimeZoneInfo Zone { get; init; }

    public override string ToString() => $"\"{Cron}\" for {DurationText.Format(Duration)} ({TimeZone})";
}
