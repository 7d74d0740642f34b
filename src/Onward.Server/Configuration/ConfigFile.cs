using Onward.Core.Configuration;

namespace Onward.Server.Configuration;

/// <summary>Reads <c>onward.yaml</c> from disk; relative paths in it resolve against the file's folder.</summary>
public static class ConfigFile
{
    public const string DefaultName = "onward.yaml";

    public static ConfigLoadResult Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            return new ConfigLoadResult(null,
                [new ConfigProblem(path, 1, 1, "", "the file does not exist", "pass the path of your onward.yaml with --config, or run `onward demo` to see one")]);
        }
        return ConfigParser.Parse(File.ReadAllText(full), path, Path.GetDirectoryName(full)!, Environment.GetEnvironmentVariable,
            p => Directory.Exists(p) || File.Exists(p));
    }

    /// <exception cref="ConfigException">The file is invalid; the exception lists every problem.</exception>
    public static OnwardConfig LoadValid(string path)
    {
        var result = Load(path);
        return result.IsValid ? result.Config! : throw new ConfigException(result.Problems);
    }
}
