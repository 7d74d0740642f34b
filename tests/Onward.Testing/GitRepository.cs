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
    public async Task<string> CommitAsync(string message = "change")
    {
        await WriteAsync("counter.txt", $"{++_counter} {Guid.NewGuid()}\n");
        await RunAsync("add", "-A");
        await RunAsync("-c", "user.name=Test", "-c", "user.email=test@onward.invalid", "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", message);
        return await HeadAsync();
    }

    public async Task<string> HeadAsync() => (await RunAsync("rev-parse", "HEAD")).Trim();

    public Task TagAsync(string name, bool annotated = false) =>
        annotated
            ? RunAsync("-c", "user.name=Test", "-c", "user.email=test@onward.invalid", "tag", "-a", "-m", "release " + name, name)
            : RunAsync("tag", name);

    public Task<string> RunAsync(params string[] arguments) => GitCli.RequireAsync(Path, arguments, CancellationToken.None);
}
