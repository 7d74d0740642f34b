namespace Onward.Core.Pipeline;

public enum JobKind
{
    /// <summary>Builds a release; subject is the release id.</summary>
    Build,

    /// <summary>Moves a deployment on; subject is the deployment id.</summary>
    Deploy,

    /// <summary>Fetches the repository a webhook named and makes its releases; subject is the delivery id.</summary>
    Delivery,

    /// <summary>Builds, deploys, follows or destroys a pull request's preview; subject is the preview id.</summary>
    Preview,
}
