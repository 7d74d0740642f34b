namespace Onward.Core.Configuration;

/// <summary>An environment's <c>flags:</c> settings: browser origins allowed to call its OFREP endpoint (CORS).</summary>
public sealed record EnvironmentFlagsConfig(IReadOnlyList<string> Cors)
{
    public static readonly EnvironmentFlagsConfig Default = new([]);
}
