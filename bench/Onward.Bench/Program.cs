using Onward.Bench;

// dotnet run -c Release --project bench/Onward.Bench -- overhead [COMMITS]
// dotnet run -c Release --project bench/Onward.Bench -- burst [SERVICES] [POLL] [--postgres] [--replicas N]
// dotnet run -c Release --project bench/Onward.Bench -- intake [SENDERS] [DELIVERIES] [--postgres] [--replicas N]
// dotnet run -c Release --project bench/Onward.Bench -- ancestry [COMMITS]
// dotnet run -c Release --project bench/Onward.Bench -- registry [COUNT] [--auth]
// dotnet run -c Release --project bench/Onward.Bench -- kubernetes [DEPLOYMENTS]
// dotnet run -c Release --project bench/Onward.Bench -- flags [ITERATIONS]
// dotnet run -c Release --project bench/Onward.Bench -- ofrep [CLIENTS] [SECONDS]
// dotnet run -c Release --project bench/Onward.Bench -- chaos [MINUTES]
// dotnet run -c Release --project bench/Onward.Bench -- canary [REQUESTS] [CLIENTS] [SECONDS]
switch (args.FirstOrDefault())
{
    case "overhead":
        await OverheadBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 20);
        return 0;
    case "burst":
        var burst = args.Skip(1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        await BurstBenchmark.RunAsync(burst.Count > 0 ? int.Parse(burst[0]) : 200, burst.Count > 1 ? burst[1] : "5s",
            args.Contains("--postgres"), args.SkipWhile(a => a != "--replicas").Skip(1).Select(int.Parse).FirstOrDefault(1));
        return 0;
    case "intake":
        var numbers = args.Skip(1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        await IntakeBenchmark.RunAsync(numbers.Count > 0 ? int.Parse(numbers[0]) : 50, numbers.Count > 1 ? int.Parse(numbers[1]) : 20000,
            args.Contains("--postgres"), args.SkipWhile(a => a != "--replicas").Skip(1).Select(int.Parse).FirstOrDefault(1));
        return 0;
    case "ancestry":
        await AncestryBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 100_000);
        return 0;
    case "kubernetes":
        await KubernetesBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 100);
        return 0;
    case "registry":
        await RegistryBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 2000, args.Contains("--auth"));
        return 0;
    case "flags":
        await FlagsBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 1_000_000);
        return 0;
    case "ofrep":
        await OfrepBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 50, args.Length > 2 ? int.Parse(args[2]) : 10);
        return 0;
    case "chaos":
        await ChaosBenchmark.RunAsync(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
        return 0;
    case "canary":
        await CanaryBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 5000, args.Length > 2 ? int.Parse(args[2]) : 16, args.Length > 3 ? int.Parse(args[3]) : 5);
        return 0;
    default:
        Console.Error.WriteLine("usage: Onward.Bench overhead [COMMITS] | burst [SERVICES] [POLL] [--postgres] [--replicas N] | intake [SENDERS] [DELIVERIES] [--postgres] [--replicas N] | ancestry [COMMITS] | registry [COUNT] [--auth] | kubernetes [DEPLOYMENTS] | flags [ITERATIONS] | ofrep [CLIENTS] [SECONDS] | chaos [MINUTES] | canary [REQUESTS] [CLIENTS] [SECONDS]");
        return 2;
}
