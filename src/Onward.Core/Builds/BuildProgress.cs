using Onward.Core.Pipeline;

namespace Onward.Core.Builds;

/// <summary>A build step's answer; <see cref="Result"/> is set when <see cref="Step"/> succeeded.</summary>
public sealed record BuildProgress(StepResult Step, BuildResult? Result = null)
{
    public static implicit operator BuildProgress(StepResult step) => new(step);
}
