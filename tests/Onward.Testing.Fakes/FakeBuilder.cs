using Onward.Core.Builds;
using Onward.Core.Configuration;
using Onward.Core.Releases;

namespace Onward.Testing.Fakes;

/// <summary>A builder whose answer a test sets per version (Pending by default, until the test finishes the build).</summary>
public sealed class FakeBuilder : IBuilder
{
    public Dictionary<string, BuildProgress> Answers { get; } = new(StringComparer.Ordinal);

    public List<string> Log { get; } = [];

    public Task<BuildProgress> StepAsync(Release release, ServiceConfig service, CancellationToken cancellationToken) =>
        Task.FromResult(Answers.GetValueOrDefault(release.Version) ?? Core.Pipeline.StepResult.Wait(TimeSpan.FromSeconds(1)));

    public Task<string?> ReadLogAsync(Release release, CancellationToken cancellationToken) => Task.FromResult<string?>(string.Join('\n', Log));

    public Task CancelAsync(Release release, CancellationToken cancellationToken)
    {
        Log.Add($"cancelled {release.Version}");
        return Task.CompletedTask;
    }

    public Task NoteAsync(Release release, string line, CancellationToken cancellationToken)
    {
        Log.Add(line);
        return Task.CompletedTask;
    }
}
