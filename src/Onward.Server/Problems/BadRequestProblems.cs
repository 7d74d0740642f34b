using System.Text.Json;
using Onward.Core.Messages;

namespace Onward.Server.Problems;

/// <summary>
/// Turns a request ASP.NET Core could not read (a body that is not JSON or not of the endpoint's shape, a body over the
/// route's limit, a query value of the wrong type) into a problem that says what is wrong, instead of a bare status.
/// Endpoints throw these because <c>RouteHandlerOptions.ThrowOnBadRequest</c> is on.
/// </summary>
public sealed class BadRequestProblems(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, e.StatusCode, Describe(e));
        }
        catch (Exception e) when (JsonText.IsNotText(e) && !context.Response.HasStarted)
        {
            // A body an endpoint bound as JSON objects, read only later: the request is wrong, not the server.
            await WriteAsync(context, StatusCodes.Status400BadRequest, "a string in the body " + JsonText.LoneSurrogate);
        }
    }

    private async Task WriteAsync(HttpContext context, int status, string detail)
    {
        context.Response.Clear();
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Detail = detail },
        });
    }

    public static string Describe(BadHttpRequestException e)
    {
        if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return "the body is larger than this address accepts; send less (every text field has its own limit too)";
        }
        if (e.InnerException is JsonException { InnerException: { } inner } && JsonText.IsNotText(inner))
        {
            return "a string in the body " + JsonText.LoneSurrogate;
        }
        if (e.InnerException is JsonException json)
        {
            var where = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "the body" : $"`{json.Path.TrimStart('$', '.')}`";
            return json.Message.Contains("could not be converted", StringComparison.Ordinal)
                ? $"{where} has the wrong JSON type; send the body as documented (strings in quotes, lists in [ ])"
                : $"the body is not valid JSON at {where}: {json.Message.Split(" Path:", 2)[0]}";
        }
        if (e.Message.Contains("Required parameter", StringComparison.Ordinal) || e.Message.Contains("implicit body", StringComparison.Ordinal))
        {
            return "a JSON body is required here; send one with `Content-Type: application/json`";
        }
        if (e.Message.Contains("Expected a supported JSON media type", StringComparison.Ordinal))
        {
            return "send the body as JSON with `Content-Type: application/json`";
        }
        // "Failed to bind parameter "int? limit" from "x"." names the parameter and the value.
        return e.Message.Replace("Failed to bind parameter", "cannot read the parameter", StringComparison.Ordinal);
    }
}
