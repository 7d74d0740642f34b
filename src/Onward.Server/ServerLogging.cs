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
