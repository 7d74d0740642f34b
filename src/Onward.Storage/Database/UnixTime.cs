namespace Onward.Storage.Database;

internal static class UnixTime
{
    public static long From(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static long? From(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    public static DateTimeOffset To(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    public static DateTimeOffset? To(long? milliseconds) => milliseconds is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
