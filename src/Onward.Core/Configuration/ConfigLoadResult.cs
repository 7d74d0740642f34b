namespace Onward.Core.Configuration;

public sealed record ConfigLoadResult(OnwardConfig? Config, IReadOnlyList<ConfigProblem> Problems)
{
    public bool IsValid => Config is not null && Problems.Count == 0;
}
