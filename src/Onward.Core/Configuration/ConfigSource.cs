namespace Onward.Core.Configuration;

/// <summary>
/// The configuration in force, which a reload of onward.yaml replaces as a whole: whoever reads it (a step, a request, a
/// worker's next look) reads <see cref="Current"/> then, so that a valid edit takes effect without a restart and an
/// invalid one changes nothing.
/// </summary>
public sealed class ConfigSource(OnwardConfig initial)
{
    private OnwardConfig _current = initial;

    public OnwardConfig Current => Volatile.Read(ref _current);

    /// <summary>Raised after <see cref="Replace"/>, with the configuration before and after.</summary>
    public event Action<OnwardConfig, OnwardConfig>? Replaced;

    public void Replace(OnwardConfig next)
    {
        var before = Interlocked.Exchange(ref _current, next);
        Replaced?.Invoke(before, next);
    }

    /// <summary>A source that never changes, for whatever is built around one configuration (tests, the CLI on a database).</summary>
    public static implicit operator ConfigSource(OnwardConfig config) => new(config);
}
