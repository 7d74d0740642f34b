namespace Onward.Core.Configuration;

/// <summary>Thrown where a component refuses to start on an invalid configuration.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigProblem> problems)
    : Exception("The configuration is invalid:\n" + string.Join("\n", problems))
{
    public IReadOnlyList<ConfigProblem> Problems { get; } = problems;
}
