namespace Onward.Contracts.Environments;

/// <param name="Kind"><c>local</c> or <c>kubernetes</c>.</param>
/// <param name="Ports">On <c>local</c>: the stable port of each service.</param>
public sealed record TargetResponse(string Kind, IReadOnlyDictionary<string, int>? Ports, string? Context, string? Namespace);
