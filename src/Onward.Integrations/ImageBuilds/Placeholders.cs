namespace Onward.Integrations.ImageBuilds;

/// <summary>Fills <c>{name}</c> placeholders in commands and URLs (API.md lists them).</summary>
public static class Placeholders
{
    public static string Fill(string template, IReadOnlyDictionary<string, string> values)
    {
        var result = template;
        foreach (var (name, value) in values)
        {
            result = result.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }
        return result;
    }
}
