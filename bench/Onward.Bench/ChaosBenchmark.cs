using Onward.Testing;

namespace Onward.Bench;

/// <summary>`bench chaos MINUTES`: the chaos test's run for longer, with its counts printed as a table.</summary>
public static class ChaosBenchmark
{
    public static async Task RunAsync(double minutes)
    {
        var report = await ChaosRun.RunAsync(TimeSpan.FromMinutes(minutes), TimeSpan.FromSeconds(6), line => Console.Error.WriteLine(line));
        Console.WriteLine($"| minutes | kills | deliveries | production requests | deployments | breaches |");
        Console.WriteLine($"|---|---|---|---|---|---|");
        Console.WriteLine($"| {minutes} | {report.Kills} | {report.Deliveries} | {report.Requests} | {report.Deployments} | {report.Breaches.Count} |");
        foreach (var breach in report.Breaches)
        {
            Console.WriteLine("breach: " + breach);
        }
    }
}
