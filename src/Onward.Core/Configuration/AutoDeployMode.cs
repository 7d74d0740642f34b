namespace Onward.Core.Configuration;

public enum AutoDeployMode
{
    /// <summary>Deployments happen only on request.</summary>
    None,

    /// <summary>Every successful build goes here (main-branch and version releases alike).</summary>
    Main,
}
