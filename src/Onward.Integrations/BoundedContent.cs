namespace Onward.Integrations;

/// <summary>An answer's body read up to a limit, so that an answer far larger than expected never fills memory.</summary>
public static class BoundedContent
{
    /// <returns>The body, or null when it is larger than <paramref name="most"/> bytes (read no further).</returns>
    public static async Task<byte[]?> ReadAsync(HttpContent content, long most, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > most)
        {
            return null;
        }
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > most)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
