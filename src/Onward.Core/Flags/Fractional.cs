using System.Text;

namespace Onward.Core.Flags;

/// <summary>
/// flagd's <c>fractional</c> operator, "v2" bucketing (flagd ≥ 0.15.0, core/pkg/evaluator/fractional.go): MurmurHash3
/// x86_32 with seed 0 over the UTF-8 bytes of the bucketing value, projected onto the total weight as
/// <c>(hash × total) &gt;&gt; 32</c>, and the first bucket whose running sum of weights exceeds it wins. The bucketing
/// value is the first argument when it is a string, else the flag key followed by the context's targeting key. Any
/// invalid input gives null, so that the flag falls back to its default variant.
/// </summary>
public static class Fractional
{
    public static object? Evaluate(EvaluationScope scope, List<object?> args)
    {
        if (args.Count == 0)
        {
            return null;
        }
        string bucketing;
        var buckets = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(args);
        if (args[0] is string given)
        {
            bucketing = given;
            buckets = buckets[1..];
        }
        else
        {
            if (args[0] is null)
            {
                buckets = buckets[1..];
            }
            if (scope.Context.GetValueOrDefault("targetingKey") is not string { Length: > 0 } targetingKey)
            {
                return null;
            }
            bucketing = scope.FlagKey + targetingKey;
        }
        var variants = new (object? Variant, long Weight)[buckets.Length];
        long total = 0;
        for (var i = 0; i < buckets.Length; i++)
        {
            if (buckets[i] is not IReadOnlyList<object?> { Count: > 0 } bucket || bucket[0] is IReadOnlyList<object?> or IReadOnlyDictionary<string, object?>)
            {
                return null;
            }
            long weight = 1;
            if (bucket.Count > 1 && bucket[1] is not null)
            {
                if (bucket[1] is not double w || w != Math.Floor(w) || w > int.MaxValue)
                {
                    return null;
                }
                weight = Math.Max((long)w, 0);
            }
            variants[i] = (bucket[0], weight);
            total += weight;
        }
        if (total == 0 || total > int.MaxValue || variants.Length == 0)
        {
            return null;
        }
        var bucketValue = (ulong)Hash(bucketing) * (ulong)total >> 32;
        ulong rangeEnd = 0;
        foreach (var (variant, weight) in variants)
        {
            rangeEnd += (ulong)weight;
            if (bucketValue < rangeEnd)
            {
                return variant;
            }
        }
        return null;
    }

    public static uint Hash(string value)
    {
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        var buffer = length <= 512 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(value, buffer);
        return Murmur3.Hash32(buffer[..written]);
    }
}
