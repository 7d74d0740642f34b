using Microsoft.AspNetCore.Http.Metadata;

namespace Onward.Server.Problems;

/// <summary>
/// Refuses a body whose declared length is over its route's limit (<see cref="IRequestSizeLimitMetadata"/>) before the
/// endpoint runs, with a problem that names the limit, and closes the connection: the unread body is not drained.
/// Chunked bodies are held to the same limit as they are read.
/// </summary>
public sealed class DeclaredBodyLimit(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize is { } limit
            && context.Request.ContentLength is { } length && length > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            context.Response.Headers.Connection = "close";
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Detail = $"the body is {length} bytes; {context.Request.Path} takes at most {limit} bytes (and every text field has its own limit)",
                },
            });
            return;
        }
        await next(context);
    }
}
