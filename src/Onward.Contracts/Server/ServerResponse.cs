namespace Onward.Contracts.Server;

/// <summary>What a server runs: <c>GET /api/v1/server</c>.</summary>
/// <param name="Version">Onward's version.</param>
/// <param name="ConfigFile">The onward.yaml the server reads (and reloads when it changes); null when it was given none, and for everyone but admins.</param>
/// <param name="LoadedAt">When the configuration in force was loaded.</param>
/// <param name="ReloadError">Why the last edit of the file was not applied, one problem per entry with file:line:column (for admins; others get how many); null when it was.</param>
/// <param name="NeedsRestart">Settings the file changed that the running server keeps until it restarts (<c>server.listen</c>, <c>server.database</c>, …).</param>
/// <param name="Services">The number of services in force.</param>
/// <param name="Environments">The number of environments in force.</param>
public sealed record ServerResponse(
    string Version,
    string? ConfigFile,
    DateTimeOffset LoadedAt,
    IReadOnlyList<string>? ReloadError,
    IReadOnlyList<string> NeedsRestart,
    int Services,
    int Environments);
