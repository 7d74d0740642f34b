using System.Diagnostics;

namespace Onward.Testing;

/// <summary>Material for FROM scratch images: a static binary (no base image can be pulled here) and its Containerfile.</summary>
public static class TestImages
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _binary;

    /// <summary>Images/hello.c compiled statically, once per test run.</summary>
    public static async Task<string> HelloBinaryAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_binary is null)
            {
                var output = Path.Combine(Path.GetTempPath(), $"onward-hello-{Environment.ProcessId}");
                using var gcc = Process.Start(new ProcessStartInfo("gcc", ["-O2", "-static", "-o", output, Path.Combine(AppContext.BaseDirectory, "Images", "hello.c")])
                {
                    UseShellExecute = false,
                    RedirectStandardError = true,
                }) ?? throw new InvalidOperationException("gcc could not be started; run scripts/setup.sh");
                var errors = await gcc.StandardError.ReadToEndAsync();
                await gcc.WaitForExitAsync();
                _binary = gcc.ExitCode == 0 ? output : throw new InvalidOperationException("gcc -static failed: " + errors);
            }
            return _binary;
        }
        finally
        {
            Gate.Release();
        }
    }

    public const string Containerfile = """
        FROM scratch
        ARG ONWARD_VERSION
        COPY hello /app/hello
        ENV GREETING=Hello
        WORKDIR /app
        ENTRYPOINT ["/app/hello"]
        """;

    /// <summary>Puts the binary and the Containerfile into a repository (committed by the caller).</summary>
    public static async Task AddToAsync(GitRepository repository, string greeting = "Hello")
    {
        File.Copy(await HelloBinaryAsync(), Path.Combine(repository.Path, "hello"), overwrite: true);
        await repository.WriteAsync("Containerfile", Containerfile.Replace("GREETING=Hello", "GREETING=" + greeting, StringComparison.Ordinal));
    }

    /// <summary>Builds the repository's Containerfile with buildah and pushes it, as an external CI would. Returns the digest.</summary>
    public static async Task<string> BuildAndPushAsync(string context, string reference, string storage, (string User, string Password)? credentials = null)
    {
        var digestFile = Path.Combine(storage, "digest-" + Guid.NewGuid().ToString("N"));
        string[] root = ["--storage-driver", "vfs", "--root", Path.Combine(storage, "root"), "--runroot", Path.Combine(storage, "run")];
        await Commands.OutputAsync("buildah", [.. root, "bud", "--isolation", "chroot", "--layers=false", "-t", reference, context]);
        string[] creds = credentials is { } c ? ["--creds", $"{c.User}:{c.Password}"] : [];
        await Commands.OutputAsync("buildah", [.. root, "push", "--tls-verify=false", .. creds, "--digestfile", digestFile, reference]);
        return (await File.ReadAllTextAsync(digestFile)).Trim();
    }
}
