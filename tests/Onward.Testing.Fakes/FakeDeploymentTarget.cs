using Onward.Core.Drift;
using Onward.Core.Pipeline;
using Onward.Core.Targets;

namespace Onward.Testing.Fakes;

/// <summary>A target whose answers a test sets per release version; it records what it was asked to do.</summary>
public sealed class FakeDeploymentTarget(TargetKind kind = TargetKind.Local) : IDeploymentTarget
{
    /// <summary>What verifying a version answers; versions not listed succeed.</summary>
    public Dictionary<string, StepResult> Verdicts { get; } = new(StringComparer.Ordinal);

    public List<string> Calls { get; } = [];

    public TargetKind Kind => kind;

    public Task<StepResult> ApplyAsync(TargetContext context, CancellationToken cancellationToken)
    {
        Calls.Add($"apply {context.Release.Version}");
        return Task.FromResult(StepResult.Done($"applied {context.Release.Version}"));
    }

    public Task<StepResult> VerifyAsync(TargetContext context, CancellationToken cancellationToken)
    {
        Calls.Add($"verify {context.Release.Version}");
        return Task.FromResult(Verdicts.GetValueOrDefault(context.Release.Version) ?? StepResult.Done($"{context.Release.Version} runs"));
    }

    /// <summary>What promoting notes for the timeline.</summary>
    public List<string> PromoteNotes { get; } = [];

    /// <summary>What a drift check answers; null: the target cannot tell.</summary>
    public List<DriftDifference>? Drift { get; set; }

    public Task<IReadOnlyList<string>> PromoteAsync(TargetContext context, CancellationToken cancellationToken)
    {
        Calls.Add($"promote {context.Release.Version}");
        return Task.FromResult<IReadOnlyList<string>>([.. PromoteNotes]);
    }

    public Task<IReadOnlyList<DriftDifference>?> DriftAsync(TargetContext context, CancellationToken cancellationToken)
    {
        Calls.Add($"drift {context.Release.Version}");
        return Task.FromResult<IReadOnlyList<DriftDifference>?>(Drift?.ToList());
    }

    public Task<string> HealAsync(TargetContext context, CancellationToken cancellationToken)
    {
        Calls.Add($"heal {context.Release.Version}");
        Drift = [];
        return Task.FromResult($"applied {context.Release.Version} again");
    }

    public Task<string> RestoreAsync(TargetContext context, CancellationToken cancellationToken)
    {
        Calls.Add($"restore {context.Previous?.Release.Version}");
        return Task.FromResult($"restored {context.Previous?.Release.Version}");
    }

    public Task<StepResult> VerifyRestoreAsync(TargetContext context, CancellationToken cancellationToken)
    {
        Calls.Add($"verify restore {context.Previous?.Release.Version}");
        return Task.FromResult(StepResult.Done($"{context.Previous?.Release.Version} runs again"));
    }

    /// <summary>What taking a deployment over says (null: nothing to say).</summary>
    public string? AdoptNote { get; set; }

    /// <summary>What the target runs, by deployment: what is not kept at start is stopped.</summary>
    public HashSet<long> Running { get; } = [];

    public Task<string?> AdoptAsync(TargetContext context, CancellationToken cancellationToken)
    {
        Calls.Add($"adopt {context.Release.Version}");
        return Task.FromResult(AdoptNote);
    }

    public Task<IReadOnlyList<(long DeploymentId, string Note)>> StopLeftoversAsync(IReadOnlySet<long> keep, CancellationToken cancellationToken)
    {
        var stopped = Running.Where(id => !keep.Contains(id)).Order().ToList();
        Running.ExceptWith(stopped);
        return Task.FromResult<IReadOnlyList<(long, string)>>(stopped.Select(id => (id, $"stopped what deployment {id} left running")).ToList());
    }
}
