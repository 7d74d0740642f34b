using Onward.Core.Access;

namespace Onward.Server.Ui;

/// <summary>
/// Whether the session an event stream was opened with still lasts, asked of the database every few seconds as the
/// stream goes on: once it ended (signed out anywhere, token revoked, run out) the stream says so and closes, and the
/// browser's reconnection is refused.
/// </summary>
public sealed class SessionWatch(ISessionStore sessions, TimeProvider time)
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);
    private static readonly object LastLook = new();

    public async Task<bool> LastsAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (UiSession.SessionOf(http) is not { } id)
        {
            return true;
        }
        var now = time.GetUtcNow();
        if (http.Items.TryGetValue(LastLook, out var last) && (DateTimeOffset)last! + Every > now)
        {
            return true;
        }
        http.Items[LastLook] = now;
        if (await sessions.IsActiveAsync(id, now, cancellationToken))
        {
            return true;
        }
        await http.Response.WriteAsync("event: ended\ndata: the session ended\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
        return false;
    }
}
