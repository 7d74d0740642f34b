using Onward.Core.Builds;
using Onward.Core.Configuration;
using Onward.Core.Pipeline;
using Onward.Core.Releases;

namespace Onward.Integrations.ImageBuilds;

/// <summary>The builder a service's <c>build</c> names.</summary>
public sealed class Builders(CommandBuilder command, ImageBuilder image) : IBuilder
{
    public async Task<BuildProgress> StepAsync(Release release, ServiceConfig service, CancellationToken cancellationToken) =>
        service.Build.Command is not null ? await command.StepAsync(release, service, cancellationToken)
        : service.Build.External is not null ? StepResult.Fail(
            $"{service.Name} is built by an external CI; register its image with `POST /api/v1/releases` or `onward releases register`")
        : await image.StepAsync(release, service, cancellationToken);

    public Task<string?> ReadLogAsync(Release release, CancellationToken cancellationToken) => command.ReadLogAsync(release, cancellationToken);

    public Task CancelAsync(Release release, CancellationToken cancellationToken) => command.CancelAsync(release, cancellationToken);

    public Task NoteAsync(Release release, string line, CancellationToken cancellationToken) => command.NoteAsync(release, line, cancellationToken);
}
