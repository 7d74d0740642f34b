namespace Onward.Server.Problems;

/// <summary>
/// A detail for every problem that would otherwise go out without one (answers ASP.NET Core gives by status alone: no
/// route, a method the route does not take, a body over the route's limit), so that each says what to do.
/// </summary>
public static class ProblemDefaults
{
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Detail is not null)
        {
            return;
        }
        var request = context.HttpContext.Request;
        problem.Detail = problem.Status switch
        {
            400 => "the request could not be read; check the body's JSON and the query's values against the API documentation",
            401 => "send `Authorization: Bearer <token>`; an admin creates tokens with `onward tokens create`",
            404 => "there is nothing at this address; the API is under /api/v1 (see the README's REST API section), webhooks under /hooks/{provider}",
            405 => $"this address does not take {request.Method}; see the README's REST API section for what it takes",
            406 => "answers are JSON (application/json or application/problem+json)",
            413 => "the body is larger than this address accepts; send less (every text field has its own limit too)",
            415 => "send the body as JSON with `Content-Type: application/json`",
            _ => problem.Status >= 500 ? "the server failed to answer this request; its log says why" : "the request could not be taken",
        };
    }
}
