using Onward.Core.Configuration;

namespace Onward.Core.Tests.Configuration;

public class DurationTextTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("10m", 600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("62h", 223_200_000)]
    [InlineData("1.5s", 1500)]
    public void Durations_read_as_people_write_them(string text, long milliseconds)
    {
        DurationText.TryParse(text, out var duration).ShouldBeTrue();
        duration.TotalMilliseconds.ShouldBe(milliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("soon")]
    [InlineData("5 minutes")]
    public void Anything_else_is_not_a_duration(string text) => DurationText.TryParse(text, out _).ShouldBeFalse();
}
