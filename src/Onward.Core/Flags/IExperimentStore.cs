namespace Onward.Core.Flags;

/// <summary>Exposures (a user's first variant of a flag, kept once) and conversions, and the counts experiments are judged by.</summary>
public interface IExperimentStore
{
    /// <summary>Records a batch of first exposures in one transaction; a user already exposed to the flag keeps the first.</summary>
    Task RecordExposuresAsync(IReadOnlyCollection<Exposure> exposures, CancellationToken cancellationToken);

    Task RecordConversionAsync(Conversion conversion, CancellationToken cancellationToken);

    /// <summary>Per variant: exposed users, and users with <paramref name="conversionEvent"/> at or after their first exposure.</summary>
    Task<IReadOnlyList<VariantCounts>> CountAsync(string environment, string flagKey, string conversionEvent, CancellationToken cancellationToken);

    /// <summary>The events tracked in the environment by users exposed to the flag, most frequent first.</summary>
    Task<IReadOnlyList<string>> EventsAsync(string environment, string flagKey, CancellationToken cancellationToken);
}
