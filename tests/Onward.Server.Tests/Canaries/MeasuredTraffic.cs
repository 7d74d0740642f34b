namespace Onward.Server.Tests.Canaries;

/// <summary>
/// Tests that count a canary's share over thousands of requests and wait for Prometheus to see them: they run alone,
/// after the other tests of the assembly, so that a busy machine makes them neither slow nor wrong.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredTraffic
{
    public const string Name = "measured traffic";
}
