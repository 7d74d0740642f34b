using System.Threading.Channels;

namespace Onward.Core.Drift;

/// <summary>
/// Word from a target's watches that an environment's live objects changed while no deployment was under way there:
/// the drift check looks at it soon instead of at its next round.
/// </summary>
public sealed class DriftSignals
{
    private readonly Channel<(string Service, string Environment)> _suspects =
        Channel.CreateBounded<(string, string)>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });

    public void Suspect(string service, string environment) => _suspects.Writer.TryWrite((service, environment));

    public ChannelReader<(string Service, string Environment)> Suspects => _suspects.Reader;
}
