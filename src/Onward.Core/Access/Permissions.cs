namespace Onward.Core.Access;

/// <summary>
/// The least role each action needs, once for the API's routes and the web UI's forms alike. What else decides whether
/// someone may act (an approver's group, self-approval, the requester cancelling their own deployment) is the rule of
/// the action itself.
/// </summary>
public static class Permissions
{
    /// <summary>Reading anything but secrets: services, deployments, flags, the audit trail.</summary>
    public const Role Read = Role.Viewer;

    public const Role RequestDeployment = Role.Deployer;

    /// <summary>Cancelling a deployment that waits; a requester may also cancel their own (see <c>DeploymentRequests.CancelAsync</c>).</summary>
    public const Role CancelDeployment = Role.Deployer;

    public const Role DecideDeployment = Role.Approver;

    /// <summary>Switching flags and replacing an environment's flag set (or asking for it, where changes need approval).</summary>
    public const Role ChangeFlags = Role.Deployer;

    public const Role RegisterRelease = Role.Deployer;

    /// <summary>Deploying although a policy says no, with a written reason.</summary>
    public const Role OverridePolicies = Role.Admin;

    public const Role FreezeEnvironments = Role.Admin;

    public const Role ManageTokens = Role.Admin;

    /// <summary>Reading what a notification's receiver answered (it may echo a channel's address or a token).</summary>
    public const Role ReadReceiverAnswers = Role.Admin;

    /// <summary>Reading the server's configuration file, where it is and why an edit of it was refused (the texts may quote its values).</summary>
    public const Role ReadServerConfiguration = Role.Admin;

    /// <summary>Whether <paramref name="who"/> holds at least <paramref name="least"/> (an SDK key holds none of these).</summary>
    public static bool May(this Identity? who, Role least) => who is { Role: not Role.Sdk } && who.Role >= least;
}
