namespace Onward.Core.Deployments;

public enum RequestError
{
    None,

    /// <summary>The service, environment or release does not exist.</summary>
    NotFound,

    /// <summary>The request cannot be acted on as it is (a release still building or failed, both version and commit).</summary>
    Invalid,

    /// <summary>The request itself is incomplete (an override without a written reason).</summary>
    Malformed,

    /// <summary>The person asking may not do what they ask (an override by someone who is not an admin).</summary>
    Forbidden,
}

/// <summary>The answer to a request: a deployment (queued, or blocked by a policy) or an error a person can act on.</summary>
public sealed record RequestOutcome(Deployment? Deployment, RequestError Error, string? Detail)
{
    public static RequestOutcome Fail(RequestError error, string detail) => new(null, error, detail);
}
