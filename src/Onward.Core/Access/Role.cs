namespace Onward.Core.Access;

/// <summary>The roles of tokens (the README's "Tokens and roles"); each includes the ones before it, except <see cref="Sdk"/>, which includes nothing.</summary>
public enum Role
{
    /// <summary>An SDK key: evaluates one environment's flags over OFREP and sends its events, nothing else.</summary>
    Sdk,
    Viewer,
    Deployer,
    Approver,
    Admin,
}
