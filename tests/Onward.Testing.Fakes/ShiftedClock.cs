namespace Onward.Testing;

/// <summary>
/// A clock that runs with real time, moved ahead by what a test says: the server's timers and rechecks keep working,
/// while a test crosses a freeze window or an expiry in an instant instead of sleeping through it.
/// </summary>
public sealed class ShiftedClock(DateTimeOffset start) : TimeProvider
{
    private long _offsetTicks = (start - TimeProvider.System.GetUtcNow()).Ticks;

    public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the clock forward; it never goes back, as a real clock would not.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(by.Ticks);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }

    /// <summary>Moves the clock forward to <paramref name="moment"/>.</summary>
    public void AdvanceTo(DateTimeOffset moment) => Advance(moment - GetUtcNow());
}
