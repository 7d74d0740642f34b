using Onward.Testing;

namespace Onward.Server.Tests.Install;

/// <summary>Issue 25: deploy/systemd/onward.service is a unit systemd accepts, and it keeps the applications up when the server stops.</summary>
public class SystemdUnitTests
{
    [Fact]
    public async Task The_unit_passes_systemd_analyze_verify_reloads_with_SIGHUP_and_stops_only_the_server()
    {
        var unit = await File.ReadAllTextAsync(Path.Combine(Paths.RepositoryRoot, "deploy", "systemd", "onward.service"));
        unit.ShouldContain("ExecReload=/bin/kill -HUP $MAINPID");
        unit.ShouldContain("KillMode=process", Case.Sensitive, "release processes and forwarders are in the unit's cgroup; the default would kill them with the server");
        if (!File.Exists("/usr/bin/systemd-analyze"))
        {
            Assert.Skip("systemd-analyze is not installed here; the unit's lines were checked, not systemd's verdict");
        }
        await using var dir = new TempDirectory();
        // The same unit, with the onward this build made in place of the installed one.
        var path = dir.Combine("onward.service");
        await File.WriteAllTextAsync(path, unit.Replace("ExecStart=/usr/local/bin/onward ", $"ExecStart=/usr/bin/env dotnet {Paths.OnwardDll} ", StringComparison.Ordinal));
        var verify = await Commands.RunAsync("systemd-analyze", ["verify", path]);
        var output = verify.Output + verify.Error;

        verify.ExitCode.ShouldBe(0, output);
        output.Split('\n').Where(l => l.Contains("onward.service", StringComparison.Ordinal)).ShouldBeEmpty(output);
    }
}
