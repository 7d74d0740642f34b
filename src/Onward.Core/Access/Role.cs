namespace Onward.Core.Access;

/// <summary>API.md's roles; each includes the ones before it, except <see cref="Sdk"/>, which includes nothing.</summary>
public enum Role
{
    /// <summary>An SDK key: evaluates one environment's flags over OFREP and sends its events, nothing else.</summary>
    Sdk,
    Viewer,
    Deployer,
    Approver,
    Admin,
}
