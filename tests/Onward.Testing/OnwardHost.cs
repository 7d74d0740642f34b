using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;
using Onward.Integrations.LocalProcesses;
using Onward.Server;
using Onward.Server.Configuration;

namespace Onward.Testing;

/// <summary>An Onward server started in this test process, on a real port, with a real SQLite file.</summary>
public sealed class OnwardHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    /// <summary>
    /// A server hosted by the test process is not the onward executable, so it is told where that is: the local
    /// target's stable ports are served by <c>onward forward</c>, started from it.
    /// </summary>
    static OnwardHost()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ForwarderCommand.Variable)))
        {
            Environment.SetEnvironmentVariable(ForwarderCommand.Variable, Paths.OnwardDll);
        }
    }

    private OnwardHost(WebApplication app, OnwardConfig config, string configPath)
    {
        _app = app;
        Config = config;
        ConfigPath = configPath;
        Api = new OnwardApi(config.Server.Listen);
    }

    /// <summary>The configuration the server started with (a reload of <see cref="ConfigPath"/> does not change it).</summary>
    public OnwardConfig Config { get; }

    /// <summary>The server's onward.yaml, which it watches and loads again when a test edits it.</summary>
    public string ConfigPath { get; }

    public OnwardApi Api { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Writes <paramref name="yaml"/> as <c>onward.yaml</c> in <paramref name="directory"/> and starts a server on it.</summary>
    /// <param name="time">The server's clock; the system clock unless a test moves time itself.</param>
    public static async Task<OnwardHost> StartAsync(string directory, string yaml, TimeProvider? time = null)
    {
        var path = Path.Combine(directory, "onward.yaml");
        await File.WriteAllTextAsync(path, yaml);
        var config = ConfigFile.LoadValid(path);
        var app = await OnwardServer.BuildAsync(config, new ConfigOrigin(path), new ServerLogging(false, LogLevel.Warning), time ?? TimeProvider.System, CancellationToken.None);
        await app.StartAsync();
        return new OnwardHost(app, config, path);
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
