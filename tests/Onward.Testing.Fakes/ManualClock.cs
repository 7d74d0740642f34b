namespace Onward.Testing.Fakes;

/// <summary>A clock that stands still until a test moves it, for unit tests of decisions that depend on time.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
