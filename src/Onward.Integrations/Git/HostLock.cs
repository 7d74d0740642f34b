namespace Onward.Integrations.Git;

/// <summary>
/// A lock shared by every process on this host: a file held open without sharing (an advisory lock the kernel drops
/// when the process dies, so a killed holder never leaves it taken). Waiters look again every 50 ms.
/// </summary>
internal static class HostLock
{
    private static readonly TimeSpan Look = TimeSpan.FromMilliseconds(50);

    public static async Task<IDisposable> TakeAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException)
            {
                await Task.Delay(Look, cancellationToken);
            }
        }
    }
}
