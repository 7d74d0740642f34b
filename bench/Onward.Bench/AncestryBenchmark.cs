using System.Diagnostics;
using System.Text;
using Onward.Core.Sources;
using Onward.Integrations.Git;
using Onward.Testing;
using Spectre.Console;

namespace Onward.Bench;

/// <summary>Forward-only checks on a long history: a main line of N commits and a side branch forking halfway.</summary>
public static class AncestryBenchmark
{
    private const int Checks = 200;

    public static async Task RunAsync(int commits)
    {
        await using var dir = new TempDirectory();
        var make = Stopwatch.StartNew();
        var (repository, main, side) = await CreateAsync(dir.Combine("history"), commits);
        AnsiConsole.MarkupLine($"[grey]made {commits} commits with git fast-import in {make.Elapsed.TotalSeconds:0.0} s[/]");
        var source = new GitSourceRepository(dir.Combine("data"));
        var fetch = Stopwatch.StartNew();
        await source.FetchAsync("svc", repository, CancellationToken.None);
        var fetched = fetch.Elapsed;

        var random = new Random(42);
        var forward = Enumerable.Range(0, Checks).Select(_ => Pair(random, main.Count)).Select(p => (main[p.Low], main[p.High])).ToList();
        var backward = forward.Select(p => (p.Item2, p.Item1)).ToList();
        var diverged = Enumerable.Range(0, Checks).Select(_ => (main[random.Next(commits / 2 + 1, main.Count)], side[random.Next(side.Count)])).ToList();

        var table = new Table().Title($"Ancestry checks on a history of {commits} commits ({Checks} checks each)").AddColumns("check", "median", "p99", "max");
        table.AddRow("mirror fetch of the whole history", $"{fetched.TotalMilliseconds:0} ms", "", "");
        var again = new GitSourceRepository(dir.Combine("data"));
        foreach (var (name, pairs, expected) in new[]
        {
            ("forward (descendant): cold", forward, AncestryRelation.Descendant),
            ("forward (descendant): remembered", forward, AncestryRelation.Descendant),
            ("forward (descendant): warm", forward, AncestryRelation.Descendant),
            ("backward (ancestor): cold", backward, AncestryRelation.Ancestor),
            ("diverged (side branch): cold", diverged, AncestryRelation.Diverged),
        })
        {
            var times = new List<double>();
            foreach (var (current, candidate) in pairs)
            {
                var started = Stopwatch.GetTimestamp();
                var answer = await (name.EndsWith(": warm", StringComparison.Ordinal) ? again : source).CompareAsync("svc", repository, current, candidate, CancellationToken.None);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (answer.Relation != expected)
                {
                    throw new InvalidOperationException($"{current[..7]} → {candidate[..7]}: expected {expected}, got {answer.Relation}");
                }
            }
            table.AddRow(name, $"{Stats.Percentile(times, 50):0.00} ms", $"{Stats.Percentile(times, 99):0.00} ms", $"{times.Max():0.00} ms");
        }
        // The baseline, in the same run: what each check cost when git answered it (one `git merge-base` process).
        var baseline = new List<double>();
        foreach (var (current, candidate) in forward)
        {
            var started = Stopwatch.GetTimestamp();
            var result = await GitCli.RunAsync(source.MirrorPath("svc"), ["merge-base", "--is-ancestor", current, candidate], CancellationToken.None);
            baseline.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"git says {current[..7]} is no ancestor of {candidate[..7]}");
            }
        }
        table.AddRow("baseline: forward by a git process", $"{Stats.Percentile(baseline, 50):0.00} ms", $"{Stats.Percentile(baseline, 99):0.00} ms", $"{baseline.Max():0.00} ms");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]Checks are answered in-process from the mirror's commit-graph. cold: the pair was never asked before (the first check reads the graph); warm: asked again of a new instance, which reads the graph again from the OS cache; remembered: asked again of the same instance, answered from memory (how two commits relate never changes); baseline: the same forward checks as one `git merge-base --is-ancestor` process each, as Onward used to answer them.[/]");
    }

    private static (int Low, int High) Pair(Random random, int count)
    {
        var a = random.Next(count);
        var b = random.Next(count);
        while (b == a)
        {
            b = random.Next(count);
        }
        return (Math.Min(a, b), Math.Max(a, b));
    }

    /// <summary>Writes the history as a fast-import stream: far quicker than 100,000 `git commit` runs.</summary>
    private static async Task<(string Path, List<string> Main, List<string> Side)> CreateAsync(string path, int commits)
    {
        Directory.CreateDirectory(path);
        await GitCli.RequireAsync(path, ["init", "--quiet", "--initial-branch=main"], CancellationToken.None);
        var stream = new StringBuilder();
        var sideLength = Math.Max(1, commits / 1000);
        for (var i = 1; i <= commits; i++)
        {
            AppendCommit(stream, "refs/heads/main", i, i == 1 ? null : i - 1, $"main {i}");
        }
        for (var j = 1; j <= sideLength; j++)
        {
            AppendCommit(stream, "refs/heads/side", commits + j, j == 1 ? commits / 2 : commits + j - 1, $"side {j}");
        }
        var info = new ProcessStartInfo("git", ["fast-import", "--quiet", "--export-marks=" + Path.Combine(path, ".git", "marks")])
        {
            WorkingDirectory = path,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        using (var process = Process.Start(info)!)
        {
            await process.StandardInput.WriteAsync(stream.ToString());
            process.StandardInput.Close();
            await process.WaitForExitAsync();
        }
        var marks = (await File.ReadAllLinesAsync(Path.Combine(path, ".git", "marks")))
            .Select(l => l.Split(' '))
            .ToDictionary(p => int.Parse(p[0][1..]), p => p[1]);
        return (path, Enumerable.Range(1, commits).Select(i => marks[i]).ToList(), Enumerable.Range(commits + 1, sideLength).Select(i => marks[i]).ToList());
    }

    private static void AppendCommit(StringBuilder stream, string branch, int mark, int? parent, string message)
    {
        stream.Append("commit ").Append(branch).Append('\n')
            .Append("mark :").Append(mark).Append('\n')
            .Append("committer Bench <bench@onward.invalid> ").Append(1_700_000_000 + mark).Append(" +0000\n")
            .Append("data ").Append(Encoding.UTF8.GetByteCount(message)).Append('\n').Append(message).Append('\n');
        if (parent is { } p)
        {
            stream.Append("from :").Append(p).Append('\n');
        }
        stream.Append("M 644 inline counter.txt\ndata ").Append(mark.ToString().Length).Append('\n').Append(mark).Append("\n\n");
    }
}
