using Onward.Integrations.LocalProcesses;
using Onward.Testing;

namespace Onward.Integrations.Tests.LocalProcesses;

public class DetachedProcessTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public async Task The_exit_code_and_output_are_kept_in_files()
    {
        await using var dir = new TempDirectory();
        var process = new DetachedProcess(dir.Combine("p"));

        await process.StartAsync("for i in 1 2 3 4 5; do echo line $i; done; echo oops >&2; exit 7", dir.Path, NoEnvironment, None);
        await Eventually.WaitAsync(() => Task.FromResult(process.Status().State == ProcessState.Exited), "the command to end");

        process.Status().ExitCode.ShouldBe(7);
        process.Tail(3).ShouldBe("line 4\nline 5\noops");
    }

    [Fact]
    public async Task An_exec_in_the_command_still_records_the_exit_code()
    {
        await using var dir = new TempDirectory();
        var process = new DetachedProcess(dir.Combine("p"));

        await process.StartAsync("exec sh -c 'exit 5'", dir.Path, NoEnvironment, None);
        await Eventually.WaitAsync(() => Task.FromResult(process.Status().State == ProcessState.Exited), "the command to end");

        process.Status().ExitCode.ShouldBe(5);
    }

    [Fact]
    public async Task Starting_twice_in_the_same_directory_runs_one_process()
    {
        await using var dir = new TempDirectory();
        var process = new DetachedProcess(dir.Combine("p"));

        var first = await process.StartAsync("sleep 30", dir.Path, NoEnvironment, None);
        var second = await new DetachedProcess(dir.Combine("p")).StartAsync("sleep 30", dir.Path, NoEnvironment, None);

        second.ShouldBe(first);
        process.Status().State.ShouldBe(ProcessState.Running);
        await process.StopAsync(TimeSpan.FromSeconds(2), None);
    }

    [Fact]
    public async Task Stopping_ends_the_whole_process_group_including_children()
    {
        await using var dir = new TempDirectory();
        var process = new DetachedProcess(dir.Combine("p"));
        await process.StartAsync($"sleep 300 & echo $! > {dir.Combine("child")}; wait", dir.Path, NoEnvironment, None);
        // The shell creates the file before echo writes the pid: wait for the whole line, or an empty pid would make the
        // checks below look at /proc itself.
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(dir.Combine("child")) && File.ReadAllText(dir.Combine("child")).EndsWith('\n')), "the child to start");
        var child = File.ReadAllText(dir.Combine("child")).Trim();
        int.Parse(child, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(1);
        Directory.Exists($"/proc/{child}").ShouldBeTrue();

        await process.StopAsync(TimeSpan.FromSeconds(2), None);

        process.Status().State.ShouldBe(ProcessState.Vanished);
        await Eventually.WaitAsync(() => Task.FromResult(!Directory.Exists($"/proc/{child}") || File.ReadAllText($"/proc/{child}/stat").Contains(") Z ", StringComparison.Ordinal)),
            "the child to end");
    }

    [Fact]
    public async Task Environment_variables_and_the_working_directory_reach_the_command()
    {
        await using var dir = new TempDirectory();
        var process = new DetachedProcess(dir.Combine("p"));

        await process.StartAsync("echo $PORT $ONWARD_VERSION $(pwd)", dir.Path, new Dictionary<string, string> { ["PORT"] = "4242", ["ONWARD_VERSION"] = "1.2.3" }, None);
        await Eventually.WaitAsync(() => Task.FromResult(process.Status().State == ProcessState.Exited), "the command to end");

        process.Tail(1).ShouldBe($"4242 1.2.3 {dir.Path}");
    }
}
