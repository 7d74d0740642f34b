using Onward.Core.Pipeline;

namespace Onward.Core.Tests.Pipeline;

public class FailuresTests
{
    private sealed class Known(bool permanent) : Exception("known"), IStepFailure
    {
        public bool IsPermanent => permanent;
    }

    [Fact]
    public void Failures_that_cannot_pass_are_permanent_and_everything_else_is_tried_again()
    {
        Failures.IsPermanent(new PermanentFailureException("image has no command")).ShouldBeTrue();
        Failures.IsPermanent(new FormatException("not an image reference")).ShouldBeTrue();
        Failures.IsPermanent(new Known(permanent: true)).ShouldBeTrue();
        Failures.IsPermanent(new Known(permanent: false)).ShouldBeFalse();
        Failures.IsPermanent(new HttpRequestException("connection refused")).ShouldBeFalse();
        Failures.IsPermanent(new TimeoutException()).ShouldBeFalse();
        Failures.IsPermanent(new IOException("database is locked")).ShouldBeFalse();
    }

    [Theory]
    [InlineData(400, true)]
    [InlineData(401, true)]
    [InlineData(403, true)]
    [InlineData(404, true)]
    [InlineData(422, true)]
    [InlineData(408, false)]
    [InlineData(429, false)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    public void A_refusal_is_permanent_and_a_busy_or_broken_server_is_not(int status, bool permanent) =>
        Failures.IsPermanentStatus(status).ShouldBe(permanent);
}
