using System.Text.Json;
using Onward.Contracts.Deployments;
using Onward.Contracts.Flags;
using Onward.Contracts.Notifications;
using Onward.Core.Notifications;

namespace Onward.Core.Tests.Notifications;

/// <summary>The enums at the API's edge travel under the names the API has always sent, both ways.</summary>
public class WireNamesTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData(DeploymentState.AwaitingApproval, "\"AwaitingApproval\"")]
    [InlineData(DeploymentState.Succeeded, "\"Succeeded\"")]
    public void Deployment_states_travel_by_their_names(DeploymentState state, string json) => RoundTrip(state, json);

    [Theory]
    [InlineData(FlagRequestKind.Set, "\"set\"")]
    [InlineData(FlagRequestKind.RemoveSwitch, "\"remove-switch\"")]
    [InlineData(FlagRequestState.Pending, "\"Pending\"")]
    public void Flag_request_kinds_and_states_travel_by_their_names(object value, string json)
    {
        JsonSerializer.Serialize(value, value.GetType(), Web).ShouldBe(json);
        JsonSerializer.Deserialize(json, value.GetType(), Web).ShouldBe(value);
    }

    [Fact]
    public void Every_notification_kind_travels_under_its_configuration_name()
    {
        foreach (var kind in Enum.GetValues<NotificationKind>())
        {
            RoundTrip(kind, $"\"{kind.Name()}\"");
            NotificationKinds.Parse(kind.Name()).ShouldBe(kind);
        }
        Enum.GetValues<FlagRequestKind>().ShouldAllBe(k => FlagRequestKinds.Parse(k.Name()) == k);
        Should.Throw<FormatException>(() => NotificationKinds.Parse("deployment.exploded"));
        Should.Throw<FormatException>(() => FlagRequestKinds.Parse("flip"));
    }

    private static void RoundTrip<T>(T value, string json)
    {
        JsonSerializer.Serialize(value, Web).ShouldBe(json);
        JsonSerializer.Deserialize<T>(json, Web).ShouldBe(value);
    }
}
