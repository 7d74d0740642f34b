using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;
using Onward.Core.Webhooks;

namespace Onward.Core.Previews;

/// <summary>
/// Turns what is learnt of pull requests (a webhook's event, a look at the host's open pull requests, a person, the
/// clock) into previews made, moved on or destroyed; the preview's job (<see cref="PreviewRunner"/>) does the work.
/// </summary>
public sealed class PreviewRequests(ConfigSource configuration, IPreviewStore previews, TimeProvider time, ILogger<PreviewRequests> logger)
{
    private OnwardConfig config => configuration.Current;

    /// <summary>Since when each service with live previews has had no <c>previews</c> in this server's onward.yaml.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _missingSince = new(StringComparer.Ordinal);

    /// <summary>The services with previews whose repository the event is about.</summary>
    public static IReadOnlyList<ServiceConfig> ServicesOf(OnwardConfig config, PullRequestEvent e) =>
        config.Services.Where(s => s.Previews is not null && RepositoryMatcher.Matches(s.Repository.Url, e.Repositories)).ToList();

    /// <summary>Decides at once, without git, what an event does, for the answer to the host and the delivery log.</summary>
    public static (bool Acts, string Reason) Classify(OnwardConfig config, PullRequestEvent e)
    {
        var services = ServicesOf(config, e);
        if (services.Count == 0)
        {
            return (false, config.Services.Any(s => RepositoryMatcher.Matches(s.Repository.Url, e.Repositories))
                ? $"pull request #{e.Number} {e.Said}: no service of {e.Repositories.FirstOrDefault()} has `previews`"
                : $"no service uses the repository {e.Repositories.FirstOrDefault() ?? "(none named)"}");
        }
        if (e.Action == PullRequestAction.Other)
        {
            return (false, $"pull request #{e.Number} {e.Said}: nothing for a preview to do");
        }
        var refusals = services.Select(s => (Service: s, Refused: s.Previews!.Refuses(e.Branch, e.FromFork))).ToList();
        var said = refusals.Select(r => e.Action == PullRequestAction.Closed
            ? $"{r.Service.Name}: {PreviewConfig.EnvironmentName(r.Service.Name, e.Number)} is destroyed"
            : r.Refused is { } refused
                ? $"{r.Service.Name}: no preview: {refused}"
                : $"{r.Service.Name}: {PreviewConfig.EnvironmentName(r.Service.Name, e.Number)} previews {Releases.Release.ShortHash(e.Commit)}").ToList();
        var acts = e.Action == PullRequestAction.Closed || refusals.Any(r => r.Refused is null);
        return (acts, $"pull request #{e.Number} {e.Said}: {string.Join("; ", said)}");
    }

    /// <summary>What a webhook's pull request event does; returns what was done, for the delivery log.</summary>
    public async Task<string> HandleAsync(PullRequestEvent e, string provider, CancellationToken cancellationToken)
    {
        var done = new List<string>();
        foreach (var service in ServicesOf(config, e))
        {
            var why = $"pull request #{e.Number} {e.Said} ({provider})";
            done.Add(e.Action switch
            {
                PullRequestAction.Updated => await PushedAsync(service, new OpenPullRequest(e.Number, e.Branch, e.Commit, e.HeadRef, e.Link) { FromFork = e.FromFork }, why,
                    cancellationToken, opened: e.Opened),
                PullRequestAction.Closed => await EndAsync(service, e.Number, why, Pipeline.Actors.Onward, cancellationToken) is { } ended
                    ? $"{service.Name}: destroying {ended.Environment}" : $"{service.Name}: no live preview of #{e.Number}",
                _ => $"{service.Name}: nothing to do",
            });
        }
        return string.Join("; ", done);
    }

    /// <summary>A pull request's head is <paramref name="open"/>'s: previewed, unless its branch is not one that gets previews.</summary>
    /// <param name="opened">Opened or reopened: a preview destroyed at the same head comes back.</param>
    public async Task<string> PushedAsync(ServiceConfig service, OpenPullRequest open, string why, CancellationToken cancellationToken, bool opened = false)
    {
        var settings = service.Previews!;
        if (settings.Refuses(open.Branch, open.FromFork) is { } refused)
        {
            return $"{service.Name}: no preview: {refused}";
        }
        var (preview, changed) = await previews.PushedAsync(
            new PreviewPush(service.Name, open.Number, open.Branch, open.Commit, open.HeadRef, open.Link, settings.Max, settings.Ports, why) { Opened = opened },
            time.GetUtcNow(), cancellationToken);
        if (changed)
        {
            logger.LogInformation("{Environment}: {Why}, previewing {Commit}{Waiting}", preview.Environment, why, open.Commit,
                preview.State == PreviewState.Waiting ? $" (waiting: {settings.Max} previews of {service.Name} run already)" : "");
        }
        return preview.State == PreviewState.Waiting
            ? $"{service.Name}: {preview.Environment} waits, {settings.Max} previews of {service.Name} run already (previews.max)"
            : $"{service.Name}: {preview.Environment} previews {Releases.Release.ShortHash(open.Commit)}";
    }

    /// <summary>Starts destroying a preview; null when it has none live (or, with <paramref name="unlessPushedSince"/>, it was pushed since).</summary>
    public async Task<Preview?> EndAsync(ServiceConfig service, long number, string why, string actor, CancellationToken cancellationToken, DateTimeOffset? unlessPushedSince = null)
    {
        var ended = await previews.EndAsync(service.Name, number, why, actor, time.GetUtcNow(), cancellationToken, unlessPushedSince);
        if (ended is not null)
        {
            logger.LogInformation("{Environment}: destroying ({Why})", ended.Environment, why);
        }
        return ended;
    }

    /// <summary>
    /// Destroys the previews no push reached for their service's <c>previews.ttl</c>, and those whose service no longer
    /// has <c>previews</c> (removed from onward.yaml); lets waiting ones take the places there are (after <c>max</c> was
    /// raised, say).
    /// </summary>
    public async Task ExpireAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var live = await previews.LiveAsync(cancellationToken);
        foreach (var back in _missingSince.Keys.Where(s => config.FindService(s)?.Previews is not null).ToList())
        {
            _missingSince.TryRemove(back, out _);
        }
        foreach (var preview in live.Where(p => p.State != PreviewState.Destroying))
        {
            if (config.FindService(preview.Service) is not { Previews: { } settings })
            {
                // Another replica's onward.yaml may have previews this one's does not have yet: ended only once they stayed away.
                var missing = _missingSince.GetOrAdd(preview.Service, now);
                if (now - missing >= Deployments.DeploymentRunner.ConfigurationLag)
                {
                    await previews.EndAsync(preview.Service, preview.Number, $"{preview.Service} has no `previews` in onward.yaml any more", Pipeline.Actors.Onward, now, cancellationToken);
                }
            }
            else if (now - preview.PushedAt >= settings.Ttl)
            {
                // Unless a push came in the meantime.
                await previews.EndAsync(preview.Service, preview.Number, $"no push for {DurationText.Format(settings.Ttl)} (previews.ttl)", Pipeline.Actors.Onward, now,
                    cancellationToken, preview.PushedAt);
            }
        }
        foreach (var service in config.Services.Where(s => s.Previews is not null && live.Any(p => p.Service == s.Name && p.State == PreviewState.Waiting)))
        {
            await previews.ActivateAsync(service.Name, service.Previews!.Max, service.Previews.Ports, now, cancellationToken);
        }
    }

    /// <summary>
    /// What the host lists as open is what is previewed, for events that were lost: a live preview whose pull request is
    /// no longer open is destroyed; one whose head moved is moved on; an open pull request never previewed gets one. A
    /// preview destroyed while its pull request stayed open (by hand, or its time ran out) comes back only with a new head.
    /// </summary>
    /// <param name="lookedAt">When the host was asked: what was pushed or opened since is newer than its list, and left alone.</param>
    public async Task ReconcileAsync(ServiceConfig service, IReadOnlyList<OpenPullRequest> open, DateTimeOffset lookedAt, CancellationToken cancellationToken)
    {
        var byNumber = open.GroupBy(o => o.Number).ToDictionary(g => g.Key, g => g.First());
        foreach (var preview in (await previews.LiveAsync(cancellationToken)).Where(p => p.Service == service.Name && p.State != PreviewState.Destroying))
        {
            if (!byNumber.ContainsKey(preview.Number) && preview.PushedAt < lookedAt)
            {
                await EndAsync(service, preview.Number, $"pull request #{preview.Number} is no longer open on the host", Pipeline.Actors.Onward, cancellationToken, lookedAt);
            }
        }
        foreach (var pull in byNumber.Values)
        {
            var known = await previews.FindAsync(service.Name, pull.Number, cancellationToken);
            if (known is null || (known.Commit != pull.Commit && known.State != PreviewState.Destroying && known.PushedAt < lookedAt))
            {
                await PushedAsync(service, pull, $"pull request #{pull.Number} seen open at {Releases.Release.ShortHash(pull.Commit)} on the host", cancellationToken);
            }
        }
    }
}
