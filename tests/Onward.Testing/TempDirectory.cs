using Onward.Integrations.LocalProcesses;

namespace Onward.Testing;

/// <summary>A fresh directory for one test, removed afterwards together with any release processes and forwarders started in it.</summary>
public sealed class TempDirectory : IAsyncDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "onward-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public async ValueTask DisposeAsync()
    {
        if (!Directory.Exists(Path))
        {
            return;
        }
        foreach (var folder in new[] { "instances", "builds", "forwarders" })
        {
            foreach (var dataDir in Directory.EnumerateDirectories(Path, folder, SearchOption.AllDirectories).ToList())
            {
                await Task.WhenAll(Directory.GetDirectories(dataDir).Select(d => new DetachedProcess(d).StopAsync(TimeSpan.FromSeconds(2), CancellationToken.None)));
            }
        }
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
