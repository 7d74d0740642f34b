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

    /// <summary>Aborting a running canary, or promoting it to 100 % at once.</summary>
    public const Role SteerCanaries = Role.Admin;

    public const Role ManageTokens = Role.Admin;

    /// <summary>Reading what a notification's receiver answered (it may echo a channel's address or a token).</summary>
    public const Role ReadReceiverAnswers = Role.Admin;

    /// <summary>Reading the server's configuration file, where it is and why an edit of it was refused (the texts may quote its values).</summary>
    public const Role ReadServerConfiguration = Role.Admin;

    /// <summary>Whether <paramref name="who"/> holds at least <paramref name="least"/> (an SDK key holds none of these).</summary>
    public static bool May(this Identity? who, Role least) => who is { Role: not Role.Sdk } && who.Role >= least;

    /// <summary>Whether <paramref name="who"/> holds <paramref name="least"/> for this service in this environment: everywhere, or through a team's role there.</summary>
    public static bool MayOn(this Identity? who, Role least, string? service, string? environment) =>
        who.May(least) || (who is { Role: not Role.Sdk } && who.Teams.Any(t => t.Role >= least
            && (t.Services is null || (service is not null && t.Services.Contains(service, StringComparer.Ordinal)))
            && (t.Environments is null || (environment is not null && t.Environments.Contains(environment, StringComparer.Ordinal)))));

    /// <summary>Whether <paramref name="who"/> holds <paramref name="least"/> anywhere (everywhere, or for some team's services or environments).</summary>
    public static bool MayAnywhere(this Identity? who, Role least) => who.May(least) || (who is { Role: not Role.Sdk } && who.Teams.Any(t => t.Role >= least));

    /// <summary>Why <paramref name="who"/> may not act with <paramref name="least"/> on this service and environment, in a sentence; null when they may.</summary>
    public static string? WhyNotOn(this Identity who, Role least, string service, string environment)
    {
        if (who.MayOn(least, service, environment))
        {
            return null;
        }
        var role = least.ToString().ToLowerInvariant();
        var teams = who.Teams.Where(t => t.Role >= least).ToList();
        return teams.Count == 0
            ? $"{who.Name} has the role {who.Role.ToString().ToLowerInvariant()}; this needs {role} or above"
            : $"{who.Name} is {role} only for {string.Join("; ", teams.Select(Where))}, not for {service} in {environment}";
    }

    private static string Where(RoleRule team) =>
        string.Join(" ", new[]
        {
            team.Services is { } s ? $"services {string.Join(", ", s)}" : null,
            team.Environments is { } e ? $"environments {string.Join(", ", e)}" : null,
        }.OfType<string>()) + $" (group {team.Group})";
}
