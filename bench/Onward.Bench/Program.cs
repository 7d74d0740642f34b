using Onward.Bench;

// dotnet run -c Release --project bench/Onward.Bench -- overhead [COMMITS]
// dotnet run -c Release --project bench/Onward.Bench -- burst [SERVICES] [POLL]
switch (args.FirstOrDefault())
{
    case "overhead":
        await OverheadBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 20);
        return 0;
    case "burst":
        await BurstBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 200, args.Length > 2 ? args[2] : "5s");
        return 0;
    default:
        Console.Error.WriteLine("usage: Onward.Bench overhead [COMMITS] | burst [SERVICES] [POLL]");
        return 2;
}
