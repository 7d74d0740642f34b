using Dapper;
using Onward.Core.Flags;
using Onward.Storage.Database;

namespace Onward.Storage.Flags;

public sealed class ExperimentStore(OnwardDatabase database) : IExperimentStore
{
    public async Task RecordExposuresAsync(IReadOnlyCollection<Exposure> exposures, CancellationToken cancellationToken)
    {
        if (exposures.Count == 0)
        {
            return;
        }
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO flag_exposures (environment, flag_key, targeting_key, variant, first_at) VALUES (@Environment, @FlagKey, @TargetingKey, @Variant, @at)
            ON CONFLICT (environment, flag_key, targeting_key) DO NOTHING
            """, exposures.Select(e => new { e.Environment, e.FlagKey, e.TargetingKey, e.Variant, at = UnixTime.From(e.At) }), write.Transaction,
            cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }

    public async Task RecordConversionAsync(Conversion conversion, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO flag_conversions (environment, event, targeting_key, value, at) VALUES (@Environment, @Event, @TargetingKey, @Value, @at)
            """, new { conversion.Environment, conversion.Event, conversion.TargetingKey, conversion.Value, at = UnixTime.From(conversion.At) }, write.Transaction,
            cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<VariantCounts>> CountAsync(string environment, string flagKey, string conversionEvent, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<CountRow>(new CommandDefinition("""
            SELECT e.variant AS Variant, COUNT(*) AS Exposed,
                   SUM(CASE WHEN EXISTS (SELECT 1 FROM flag_conversions c WHERE c.environment = e.environment AND c.event = @conversionEvent
                                         AND c.targeting_key = e.targeting_key AND c.at >= e.first_at) THEN 1 ELSE 0 END) AS Converted
            FROM flag_exposures e
            WHERE e.environment = @environment AND e.flag_key = @flagKey
            GROUP BY e.variant ORDER BY e.variant
            """, new { environment, flagKey, conversionEvent }, cancellationToken: cancellationToken));
        return rows.Select(r => new VariantCounts(r.Variant, r.Exposed, r.Converted)).ToList();
    }

    public async Task<IReadOnlyList<string>> EventsAsync(string environment, string flagKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT c.event FROM flag_conversions c
            JOIN flag_exposures e ON e.environment = c.environment AND e.targeting_key = c.targeting_key AND e.flag_key = @flagKey
            WHERE c.environment = @environment
            GROUP BY c.event ORDER BY COUNT(*) DESC, c.event LIMIT 20
            """, new { environment, flagKey }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    private sealed class CountRow
    {
        public string Variant { get; init; } = "";

        public long Exposed { get; init; }

        public long Converted { get; init; }
    }
}
