namespace Onward.Core.Configuration;

public sealed record FreezeWindow(string Cron, TimeSpan Duration, string TimeZone);
