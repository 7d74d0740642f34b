using Onward.Core.Previews;

namespace Onward.Core.Configuration;

/// <summary>
/// The configuration in force, which a reload of onward.yaml replaces as a whole: whoever reads it (a step, a request, a
/// worker's next look) reads <see cref="Current"/> then, so that a valid edit takes effect without a restart and an
/// invalid one changes nothing. The environments of live previews are added to onward.yaml's as
/// <see cref="OnwardConfig.Previews"/>, made again from the file's configuration whenever either changes.
/// </summary>
public sealed class ConfigSource(OnwardConfig initial)
{
    private readonly Lock _gate = new();
    private OnwardConfig _file = initial;
    private IReadOnlyList<PreviewPlace> _previews = [];
    private IReadOnlyList<PreviewPlace> _ending = [];
    private OnwardConfig _current = initial;

    public OnwardConfig Current => Volatile.Read(ref _current);

    /// <summary>Raised after <see cref="Replace"/>, with the configuration before and after.</summary>
    public event Action<OnwardConfig, OnwardConfig>? Replaced;

    public void Replace(OnwardConfig next)
    {
        OnwardConfig before, after;
        lock (_gate)
        {
            _file = next;
            before = _current;
            after = _current = PreviewEnvironments.Add(next, _previews, _ending);
        }
        Replaced?.Invoke(before, after);
    }

    /// <summary>
    /// The previews that live now, whose environments join the configuration's (the file's stays as it is), and those
    /// being destroyed, whose environments are known only to say which server runs them (<see cref="OnwardConfig.PreviewsEnding"/>).
    /// </summary>
    public void SetPreviews(IReadOnlyList<PreviewPlace> previews, IReadOnlyList<PreviewPlace> ending)
    {
        lock (_gate)
        {
            if (_previews.SequenceEqual(previews) && _ending.SequenceEqual(ending))
            {
                return;
            }
            (_previews, _ending) = (previews, ending);
            Volatile.Write(ref _current, PreviewEnvironments.Add(_file, previews, ending));
        }
    }

    /// <summary>A source that never changes, for whatever is built around one configuration (tests, the CLI on a database).</summary>
    public static implicit operator ConfigSource(OnwardConfig config) => new(config);
}
