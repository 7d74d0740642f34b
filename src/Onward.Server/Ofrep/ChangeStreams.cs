namespace Onward.Server.Ofrep;

/// <summary>The change streams this server has open, held to <see cref="Most"/>; more are answered 503 (the client polls meanwhile).</summary>
public sealed class ChangeStreams
{
    public const int Most = 10_000;

    private int _open;

    public int Open => Volatile.Read(ref _open);

    /// <summary>Counts a stream in; false, counting nothing, when <see cref="Most"/> are open.</summary>
    public bool TryOpen()
    {
        if (Interlocked.Increment(ref _open) <= Most)
        {
            return true;
        }
        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Close() => Interlocked.Decrement(ref _open);
}
