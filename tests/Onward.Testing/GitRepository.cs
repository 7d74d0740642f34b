using Onward.Integrations.Git;

namespace Onward.Testing;

/// <summary>A real git repository for tests, driven with the git CLI.</summary>
public sealed class GitRepository
{
    private int _counter;

    private GitRepository(string path) => Path = path;

    public string Path { get; }

    public static async Task<GitRepository> InitAsync(string path, string branch = "main")
    {
        Directory.CreateDirectory(path);
        await GitCli.RequireAsync(path, ["init", "--quiet", "--initial-branch=" + branch], CancellationToken.None);
        return new GitRepository(path);
    }

    /// <summary>A repository that exists already (made by a test with options of its own).</summary>
    public static Task<GitRepository> OpenAsync(string path) => Task.FromResult(new GitRepository(path));

    public async Task<GitRepository> WriteAsync(string file, string content)
    {
        var full = System.IO.Path.Combine(Path, file);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        await File.WriteAllTextAsync(full, content);
        return this;
    }

    /// <summary>Commits everything (with a changing file so that every commit differs) and returns the full SHA.</summary>
    public Task<string> CommitAsync(string message = "change") => CommitAsync(message, null);

    /// <summary>A commit made at <paramref name="at"/> (its author and committer dates), e.g. for a history of some weeks.</summary>
    public async Task<string> CommitAsync(string message, DateTimeOffset? at)
    {
        await WriteAsync("counter.txt", $"{++_counter} {Guid.NewGuid()}\n");
        await RunAsync("add", "-A");
        var date = at?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await GitCli.RequireAsync(Path, ["-c", "user.name=Test", "-c", "user.email=test@onward.invalid", "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", message],
            CancellationToken.None, date is null ? null : new Dictionary<string, string> { ["GIT_AUTHOR_DATE"] = date, ["GIT_COMMITTER_DATE"] = date });
        return await HeadAsync();
    }

    public async Task<string> HeadAsync() => (await RunAsync("rev-parse", "HEAD")).Trim();

    public Task TagAsync(string name, bool annotated = false) =>
        annotated
            ? RunAsync("-c", "user.name=Test", "-c", "user.email=test@onward.invalid", "tag", "-a", "-m", "release " + name, name)
            : RunAsync("tag", name);

    public Task<string> RunAsync(params string[] arguments) => GitCli.RequireAsync(Path, arguments, CancellationToken.None);
}
