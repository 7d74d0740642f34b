namespace Onward.Core.Flags;

/// <summary>
/// What one rule evaluation reads: the caller's context plus flagd's <c>$flagd</c> properties (the flag's key and the
/// evaluation time in Unix seconds), which replace any <c>$flagd</c> the caller sent. Array operators (map, filter,
/// reduce, all, some, none) evaluate their inner rule with each element as the data.
/// </summary>
public sealed class EvaluationScope
{
    private IReadOnlyDictionary<string, object?>? _withFlagd;

    public EvaluationScope(IReadOnlyDictionary<string, object?> context, string flagKey, long timestamp, EvaluationBudget budget)
    {
        Context = context;
        FlagKey = flagKey;
        Timestamp = timestamp;
        Data = context;
        Budget = budget;
    }

    private EvaluationScope(EvaluationScope parent, object? data)
    {
        Context = parent.Context;
        FlagKey = parent.FlagKey;
        Timestamp = parent.Timestamp;
        Data = data;
        IsNested = true;
        Budget = parent.Budget;
    }

    /// <summary>What the evaluation may still spend; every operator charges it.</summary>
    public EvaluationBudget Budget { get; }

    public IReadOnlyDictionary<string, object?> Context { get; }

    public string FlagKey { get; }

    public long Timestamp { get; }

    /// <summary>What <c>var</c> reads: the context at the top, an array's element inside map, filter and the like.</summary>
    public object? Data { get; }

    public bool IsNested { get; }

    public EvaluationScope With(object? data) => new(this, data);

    /// <summary>The whole top-level data, <c>$flagd</c> included, for <c>{"var": ""}</c>.</summary>
    public IReadOnlyDictionary<string, object?> ContextWithFlagd =>
        _withFlagd ??= new Dictionary<string, object?>(Context, StringComparer.Ordinal) { ["$flagd"] = Flagd };

    public IReadOnlyDictionary<string, object?> Flagd => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["flagKey"] = FlagKey,
        ["timestamp"] = (double)Timestamp,
    };
}
