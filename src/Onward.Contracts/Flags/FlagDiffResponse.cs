namespace Onward.Contracts.Flags;

/// <summary>How a service's shipped flags differ between two of its releases.</summary>
public sealed record FlagDiffResponse(string Service, string From, string To, IReadOnlyList<FlagKeyDiffResponse> Flags);
