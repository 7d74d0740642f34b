using System.Text.Json.Nodes;

namespace Onward.Core.Flags;

/// <summary>
/// Evaluates one flag the way flagd does (core v0.16, <c>Resolver.evaluateVariant</c>): a DISABLED flag and a flag
/// without a default variant that nothing resolved answer without a value (the caller's code default); no targeting
/// gives STATIC; targeting that returns null falls back to the default variant (DEFAULT); <c>true</c>/<c>false</c>
/// select the variants named "true"/"false"; a name that is no variant is a GENERAL error; a rule that cannot run is
/// a PARSE_ERROR.
/// </summary>
public static class FlagEvaluator
{
    private static readonly IReadOnlyDictionary<string, JsonNode?> NoMetadata = new Dictionary<string, JsonNode?>();

    /// <param name="budget">What the evaluation may spend (and the caller's cancellation); one is made for a lone evaluation.</param>
    /// <exception cref="OperationCanceledException">The budget's caller went away.</exception>
    public static FlagResolution Evaluate(FlagDefinition? flag, string key, IReadOnlyDictionary<string, object?> context, long timestamp, EvaluationBudget? budget = null)
    {
        if (flag is null)
        {
            return new FlagResolution(key, null, null, FlagReasons.Error, FlagErrorCodes.FlagNotFound, $"flag `{key}` does not exist", NoMetadata);
        }
        if (!flag.Enabled)
        {
            return new FlagResolution(key, null, null, FlagReasons.Disabled, null, null, flag.Metadata);
        }
        if (flag.RuleError is not null)
        {
            return new FlagResolution(key, null, null, FlagReasons.Error, FlagErrorCodes.ParseError, $"error parsing the flag `{key}`: {flag.RuleError}", flag.Metadata);
        }
        if (flag.Rule is null)
        {
            return Default(flag, FlagReasons.Static);
        }
        object? result;
        budget ??= new EvaluationBudget(CancellationToken.None);
        budget.Begin();
        try
        {
            result = flag.Rule.Evaluate(new EvaluationScope(context, key, timestamp, budget));
        }
        catch (EvaluationLimitException e)
        {
            return new FlagResolution(key, null, null, FlagReasons.Error, FlagErrorCodes.General,
                $"evaluating `{key}` stopped: {e.Message}; simplify its targeting or send a smaller context", flag.Metadata);
        }
        catch (Exception e) when (e is ArithmeticException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or FormatException)
        {
            return new FlagResolution(key, null, null, FlagReasons.Error, FlagErrorCodes.ParseError, $"error evaluating the flag `{key}`: {e.Message}", flag.Metadata);
        }
        if (result is null)
        {
            return Default(flag, FlagReasons.Default);
        }
        var variant = VariantName(result);
        if (!flag.Variants.TryGetValue(variant, out var value))
        {
            return new FlagResolution(key, null, null, FlagReasons.Error, FlagErrorCodes.General,
                $"targeting of `{key}` returned \"{variant}\", which is not one of its variants", flag.Metadata);
        }
        return new FlagResolution(key, value, variant, FlagReasons.TargetingMatch, null, null, flag.Metadata);
    }

    private static FlagResolution Default(FlagDefinition flag, string reason) =>
        flag.DefaultVariant is { } name
            ? new FlagResolution(flag.Key, flag.Variants[name], name, reason, null, null, flag.Metadata)
            : new FlagResolution(flag.Key, null, null, FlagReasons.Default, null, null, flag.Metadata);

    /// <summary>flagd names the variant by the result's JSON text with every quote removed: "on" → on, true → true, 2 → 2.</summary>
    private static string VariantName(object result) => result switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        double d => JsValues.NumberToText(d),
        _ => FlagData.ToJson(result)?.ToJsonString().Replace("\"", "", StringComparison.Ordinal) ?? "null",
    };
}
