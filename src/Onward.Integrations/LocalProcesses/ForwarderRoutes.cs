using System.Globalization;
using System.Text;

namespace Onward.Integrations.LocalProcesses;

/// <summary>One stable port: the service it belongs to, the port people use, and the release's port it relays to (0: none yet).</summary>
public sealed record ForwarderRoute(string Service, int Stable, int Backend)
{
    /// <summary>Whether the port relays HTTP requests (a service with a canary) rather than connections.</summary>
    public bool Http { get; init; }

    /// <summary>In HTTP mode: the version <see cref="Backend"/> runs (a label of the port's metrics).</summary>
    public string Version { get; init; } = "";

    /// <summary>In HTTP mode: the canary's port (0: no canary), its version, and the percentage of requests it gets.</summary>
    public int Canary { get; init; }

    public string CanaryVersion { get; init; } = "";

    public int Weight { get; init; }

    /// <summary>The release ports requests may go to.</summary>
    public IEnumerable<int> Backends => Canary > 0 && Weight > 0 ? [Backend, Canary] : [Backend];
}

/// <summary>
/// The files through which the server tells an environment's forwarder what to relay, and the forwarder answers what
/// it did: <c>routes</c> (written by the server) and <c>applied</c> (written by the forwarder), each with the same
/// generation number once the forwarder has taken the routes on. Both are replaced whole (written aside, then
/// renamed), so that neither side ever reads half a file. Lines: <c>generation N</c>, <c>route SERVICE STABLE BACKEND</c>
/// (connections), <c>http SERVICE STABLE BACKEND VERSION CANARY CANARY-VERSION WEIGHT</c> (requests; versions
/// percent-encoded, <c>-</c> for none), and in <c>applied</c> also <c>error SERVICE REASON</c> and <c>version V</c>
/// (the forwarder's Onward).
/// </summary>
/// <param name="Errors">Per service, why its stable port could not be opened.</param>
/// <param name="Version">In <c>applied</c>: the version of the Onward the forwarder runs.</param>
public sealed record ForwarderRoutes(long Generation, IReadOnlyList<ForwarderRoute> Routes, IReadOnlyDictionary<string, string> Errors, string? Version = null)
{
    public const string RoutesFile = "routes";
    public const string AppliedFile = "applied";

    public static readonly ForwarderRoutes None = new(0, [], new Dictionary<string, string>());

    public ForwarderRoute? Find(string service) => Routes.FirstOrDefault(r => r.Service == service);

    /// <summary>These routes with <paramref name="route"/> set in place of the service's, as the next generation.</summary>
    public ForwarderRoutes With(ForwarderRoute route) =>
        new(Generation + 1, [.. Routes.Where(r => r.Service != route.Service), route], new Dictionary<string, string>());



    /// <summary>Reads a routes or applied file; null when there is none or it cannot be read now.</summary>
    public static ForwarderRoutes? Read(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        long generation = -1;
        string? version = null;
        var routes = new List<ForwarderRoute>();
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', 3);
            if (parts is ["generation", var g] && long.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                generation = number;
            }
            else if (parts is ["error", var service, var reason])
            {
                errors[service] = reason;
            }
            else if (parts is ["version", var v])
            {
                version = v;
            }
            else if (line.Split(' ') is ["route", var name, var stable, var backend]
                && int.TryParse(stable, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && int.TryParse(backend, NumberStyles.None, CultureInfo.InvariantCulture, out var b))
            {
                routes.Add(new ForwarderRoute(name, s, b));
            }
            else if (line.Split(' ') is ["http", var httpService, var stablePort, var backendPort, var backendVersion, var canary, var canaryVersion, var weight]
                && Port(stablePort) is { } sp && Port(backendPort) is { } bp && Port(canary) is { } cp
                && int.TryParse(weight, NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w <= 100)
            {
                routes.Add(new ForwarderRoute(httpService, sp, bp) { Http = true, Version = Decode(backendVersion), Canary = cp, CanaryVersion = Decode(canaryVersion), Weight = w });
            }
        }
        return generation < 0 ? null : new ForwarderRoutes(generation, routes, errors, version);
    }

    public void Write(string file)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"generation {Generation}\n");
        foreach (var route in Routes)
        {
            if (route.Http)
            {
                text.Append(CultureInfo.InvariantCulture, $"http {route.Service} {route.Stable} {route.Backend} {Encode(route.Version)} {route.Canary} {Encode(route.CanaryVersion)} {route.Weight}\n");
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"route {route.Service} {route.Stable} {route.Backend}\n");
            }
        }
        foreach (var (service, reason) in Errors)
        {
            text.Append(CultureInfo.InvariantCulture, $"error {service} {reason.ReplaceLineEndings(" ")}\n");
        }
        if (Version is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"version {Version}\n");
        }
        var aside = file + ".tmp";
        File.WriteAllText(aside, text.ToString());
        File.Move(aside, file, overwrite: true);
    }

    private static int? Port(string text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535 ? port : null;

    /// <summary>A version as one word of these files: percent-encoded, <c>-</c> for none.</summary>
    internal static string Encode(string version) => version.Length == 0 ? "-" : Uri.EscapeDataString(version);

    internal static string Decode(string text) => text == "-" ? "" : Uri.UnescapeDataString(text);
}
