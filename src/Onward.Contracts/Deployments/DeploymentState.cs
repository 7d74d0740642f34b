using System.Text.Json.Serialization;

namespace Onward.Contracts.Deployments;

/// <summary>
/// Where a deployment stands: <c>AwaitingApproval → Queued → Applying → Verifying → Succeeded | Failed</c>, or one of the
/// other ends. The API sends these names as they are.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeploymentState>))]
public enum DeploymentState
{
    Queued,
    AwaitingApproval,
    Applying,
    Verifying,
    Succeeded,
    Failed,
    Blocked,
    Rejected,
    Superseded,
    Cancelled,
}
