using Onward.Testing;

namespace Onward.Server.Tests.Production;

/// <summary>
/// A repository with one commit, a server with dev-1 and dev-2 (autoDeploy) and prod (the given policy) on token
/// authentication, and the <see cref="Team"/>; all disposed together.
/// </summary>
public sealed class ProductionSetup : IAsyncDisposable
{
    private readonly TempDirectory _dir;

    private ProductionSetup(TempDirectory dir, GitRepository repo, string firstCommit, OnwardHost onward, Team team)
    {
        _dir = dir;
        Repo = repo;
        FirstCommit = firstCommit;
        Onward = onward;
        Team = team;
    }

    public GitRepository Repo { get; }

    public string FirstCommit { get; }

    public OnwardHost Onward { get; }

    public Team Team { get; }

    /// <param name="prodPolicy">The YAML of prod's <c>policy</c>, e.g. <c>{ requires: [dev-1] }</c>.</param>
    /// <param name="behavior">What the first commit's release does (<see cref="SampleService.BehaveAsync"/>).</param>
    /// <param name="clock">The server's clock, when the test moves time.</param>
    /// <param name="serviceExtra">YAML lines added to the service, e.g. its <c>report</c>.</param>
    public static async Task<ProductionSetup> StartAsync(string prodPolicy, string behavior, string firstCommitMessage, TimeProvider? clock = null, string serviceExtra = "")
    {
        var dir = new TempDirectory();
        var repo = await GitRepository.InitAsync(dir.Combine("shop"));
        await repo.BehaveAsync(behavior);
        var commit = await repo.CommitAsync(firstCommitMessage);
        var onward = await OnwardHost.StartAsync(dir.Path, ProductionTests.Yaml(Ports.Free(), repo.Path, prodPolicy, serviceExtra), clock);
        return new ProductionSetup(dir, repo, commit, onward, await Team.CreateAsync(onward, dir.Path));
    }

    public async ValueTask DisposeAsync()
    {
        Team.Dispose();
        await Onward.DisposeAsync();
        await _dir.DisposeAsync();
    }
}
