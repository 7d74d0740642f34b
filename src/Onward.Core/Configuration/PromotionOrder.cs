namespace Onward.Core.Configuration;

/// <summary>Environments in the order releases travel through them.</summary>
public static class PromotionOrder
{
    /// <summary>Each environment after those it requires, otherwise in the order onward.yaml lists them.</summary>
    public static IReadOnlyList<EnvironmentConfig> Of(IReadOnlyList<EnvironmentConfig> environments)
    {
        var ordered = new List<EnvironmentConfig>();
        var remaining = environments.ToList();
        while (remaining.Count > 0)
        {
            var next = remaining.FirstOrDefault(e => e.Policy.Requires.All(r => ordered.Any(o => o.Name == r) || remaining.All(x => x.Name != r))) ?? remaining[0];
            ordered.Add(next);
            remaining.Remove(next);
        }
        return ordered;
    }
}
