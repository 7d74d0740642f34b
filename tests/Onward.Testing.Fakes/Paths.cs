namespace Onward.Testing;

/// <summary>Where the built pieces are: tests run the real <c>onward</c> and the sample service from the same build.</summary>
public static class Paths
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Debug or Release, as this test assembly was built.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string OnwardDll => Built("src/Onward.Cli", "onward.dll");

    public static string SampleServiceDll => Built("tests/Onward.Testing.SampleService", "Onward.Testing.SampleService.dll");

    public static string SimulatedClusterDll => Built("tests/Onward.Testing.Cluster", "Onward.Testing.Cluster.dll");

    /// <summary>The helm scripts/setup.sh installs into tools/helm.</summary>
    public static string Helm
    {
        get
        {
            var path = Path.Combine(RepositoryRoot, "tools", "helm", "helm");
            return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing; run scripts/setup.sh (it installs helm there)");
        }
    }

    /// <summary>tests/node with its packages installed (flagd-core, the OpenFeature SDK and OFREP core), as scripts/setup.sh leaves it.</summary>
    public static string NodeClients
    {
        get
        {
            var path = Path.Combine(RepositoryRoot, "tests", "node");
            return Directory.Exists(Path.Combine(path, "node_modules", "@openfeature"))
                ? path
                : throw new DirectoryNotFoundException($"{path}/node_modules is missing; run scripts/setup.sh (it runs npm ci there)");
        }
    }

    private static string Built(string project, string file)
    {
        var path = Path.Combine(RepositoryRoot, project, "bin", Configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing; build the solution first", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Onward.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Onward.slnx not found above " + AppContext.BaseDirectory);
    }
}
