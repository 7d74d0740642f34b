using System.Reflection;

namespace Onward.Core;

/// <summary>Onward's version as built (the informational version without its commit suffix).</summary>
public static class OnwardVersion
{
    public static string Current { get; } =
        typeof(OnwardVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";
}
