namespace Onward.Server;

/// <summary>How the server logs: human lines or JSON lines (one object per event), and from which level.</summary>
public sealed record ServerLogging(bool Json, LogLevel MinimumLevel)
{
    public static ServerLogging Default => new(Environment.GetEnvironmentVariable("ONWARD_LOG_FORMAT") == "json", LogLevel.Information);

    public void Apply(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(MinimumLevel);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        // Its keys live in dataDir/keys, which only the server's user reads; the "stored unencrypted" warning says no more than that.
        logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        if (Json)
        {
            logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ");
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
                o.UseUtcTimestamp = true;
            });
        }
    }
}
