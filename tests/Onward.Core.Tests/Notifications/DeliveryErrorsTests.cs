using Onward.Core.Notifications;

namespace Onward.Core.Tests.Notifications;

public class DeliveryErrorsTests
{
    [Theory]
    [InlineData("hooks.example answered 403 Forbidden — it answered: {\"token\":\"sk_1\"} (not tried again: fix the configuration)",
        "hooks.example answered 403 Forbidden (not tried again: fix the configuration)")]
    [InlineData("hooks.example answered 503 Service Unavailable — it answered: busy: try later", "hooks.example answered 503 Service Unavailable")]
    [InlineData("hooks.example answered 401 Unauthorized: {\"message\":\"Bad credentials\"} (not tried again: fix the configuration)",
        "hooks.example answered 401 Unauthorized (not tried again: fix the configuration)")]
    [InlineData("could not reach hooks.example: ConnectionError", "could not reach hooks.example: ConnectionError")]
    [InlineData("hooks.example did not answer within 10 s", "hooks.example did not answer within 10 s")]
    public void Viewers_see_the_reason_without_the_receivers_answer(string kept, string shown) =>
        DeliveryErrors.ForViewers(kept).ShouldBe(shown);
}
