using Onward.Core.Flags;

namespace Onward.Testing.Fakes;

/// <summary>Exposures (a user's first only) and conversions in memory, counted as the store counts them: a conversion counts when it came after the user's first exposure.</summary>
public sealed class FakeExperimentStore : IExperimentStore
{
    private readonly Dictionary<(string Environment, string FlagKey, string TargetingKey), Exposure> _exposures = [];
    private readonly List<Conversion> _conversions = [];

    public Task RecordExposuresAsync(IReadOnlyCollection<Exposure> exposures, CancellationToken cancellationToken)
    {
        lock (_conversions)
        {
            foreach (var exposure in exposures)
            {
                _exposures.TryAdd((exposure.Environment, exposure.FlagKey, exposure.TargetingKey), exposure);
            }
        }
        return Task.CompletedTask;
    }

    public Task RecordConversionAsync(Conversion conversion, CancellationToken cancellationToken)
    {
        lock (_conversions)
        {
            _conversions.Add(conversion);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<VariantCounts>> CountAsync(string environment, string flagKey, string conversionEvent, CancellationToken cancellationToken)
    {
        lock (_conversions)
        {
            return Task.FromResult<IReadOnlyList<VariantCounts>>(_exposures.Values.Where(e => e.Environment == environment && e.FlagKey == flagKey)
                .GroupBy(e => e.Variant).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new VariantCounts(g.Key, g.Count(), g.Count(e => _conversions.Any(c =>
                    c.Environment == environment && c.Event == conversionEvent && c.TargetingKey == e.TargetingKey && c.At >= e.At))))
                .ToList());
        }
    }

    public Task<IReadOnlyList<string>> EventsAsync(string environment, string flagKey, CancellationToken cancellationToken)
    {
        lock (_conversions)
        {
            return Task.FromResult<IReadOnlyList<string>>(_conversions
                .Where(c => c.Environment == environment && _exposures.ContainsKey((environment, flagKey, c.TargetingKey)))
                .GroupBy(c => c.Event).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(20).Select(g => g.Key).ToList());
        }
    }
}
