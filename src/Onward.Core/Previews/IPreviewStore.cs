namespace Onward.Core.Previews;

/// <summary>A pull request's head as seen (by an event or a look at the host), to be previewed.</summary>
/// <param name="Max">The service's <c>previews.max</c>: a new preview beyond it waits.</param>
/// <param name="Ports">The service's <c>previews.ports</c>, from which a preview taking its place gets the lowest free one.</param>
/// <param name="Why">What happened, for the audit trail (e.g. "pull request #42 opened (github)").</param>
public sealed record PreviewPush(
    string Service, long Number, string Branch, string Commit, string? HeadRef, string? Link, int Max, (int First, int Last)? Ports, string Why)
{
    /// <summary>The pull request was opened or reopened: a destroyed preview comes back though its head is the same.</summary>
    public bool Opened { get; init; }
}

/// <summary>Previews, durably; each change that a person would ask about is in the audit trail. Implemented by Onward.Storage.</summary>
public interface IPreviewStore
{
    /// <summary>
    /// Records a pull request's head: a new preview, a destroyed one back, or a live one's next commit (building again).
    /// A preview that would be one too many waits. Queues the preview's job, in the same transaction.
    /// </summary>
    /// <returns>The preview as it is now, and whether anything changed (the same head seen twice changes nothing).</returns>
    Task<(Preview Preview, bool Changed)> PushedAsync(PreviewPush push, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Preview?> GetAsync(long id, CancellationToken cancellationToken);

    Task<Preview?> FindAsync(string service, long number, CancellationToken cancellationToken);

    /// <summary>The previews not destroyed, oldest first.</summary>
    Task<IReadOnlyList<Preview>> LiveAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Moves a preview on (state, failure, release, deployment, URL), provided it is still as <paramref name="was"/>
    /// read it (same state and head): false when a push or a destroy came in between.
    /// </summary>
    Task<bool> MoveAsync(Preview was, Preview next, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Lets the oldest waiting previews of the service take the places and ports there are (after <c>max</c> was raised, say).</summary>
    Task ActivateAsync(string service, int max, (int First, int Last)? ports, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Keeps the host's comment id and what it says now.</summary>
    Task SaidAsync(long id, string? commentId, string said, CancellationToken cancellationToken);

    /// <summary>
    /// Starts destroying a live preview (its job does the work); null when there is none or it is destroyed already.
    /// With <paramref name="unlessPushedSince"/>, one pushed after that time is left alone (what the caller decided on
    /// is older than the push).
    /// </summary>
    Task<Preview?> EndAsync(string service, long number, string why, string actor, DateTimeOffset now, CancellationToken cancellationToken, DateTimeOffset? unlessPushedSince = null);

    /// <summary>
    /// Records that what the preview ran is gone (<paramref name="note"/> says what was removed), tells the git host its
    /// deployment is no longer active, and lets the oldest waiting previews of the service take its place.
    /// </summary>
    Task DestroyedAsync(long id, string note, int max, (int First, int Last)? ports, DateTimeOffset now, CancellationToken cancellationToken);
}
