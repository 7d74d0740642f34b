namespace Onward.Core.Access;

/// <summary>API.md's roles; each includes the ones before it.</summary>
public enum Role
{
    Viewer,
    Deployer,
    Approver,
    Admin,
}
