using Microsoft.AspNetCore.Http.Extensions;

namespace Onward.Server.Api;

/// <summary>
/// Lists come a page at a time: <c>limit</c> (clamped to what each list allows) and a cursor (<c>before</c>, or
/// <c>after</c> for lists in ascending order). A full page carries a <c>Link: &lt;…&gt;; rel="next"</c> header
/// (RFC 8288) with the address of the next one.
/// </summary>
public static class Paging
{
    public static int Limit(int? asked, int fallback, int most) => Math.Clamp(asked ?? fallback, 1, most);

    /// <summary>Adds the link to the next page when this one is full.</summary>
    public static void LinkNext(HttpContext http, int count, int limit, string cursorName, string? cursor)
    {
        if (count < limit || cursor is null)
        {
            return;
        }
        var query = http.Request.Query
            .Where(q => q.Key != cursorName)
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .Append(new KeyValuePair<string, string?>(cursorName, cursor));
        http.Response.Headers.Append("Link", $"<{http.Request.PathBase}{http.Request.Path}{QueryString.Create(query)}>; rel=\"next\"");
    }
}
