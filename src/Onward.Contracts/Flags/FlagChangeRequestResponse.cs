namespace Onward.Contracts.Flags;

/// <summary>A flag change waiting for (or past) approval: what it does, who asked and why, its state, what it needs and the decisions so far.</summary>
public sealed record FlagChangeRequestResponse(
    long Id, string Environment, FlagRequestKind Kind, string? Key, string RequestedBy, string Comment, FlagRequestState State, DateTimeOffset CreatedAt, string? Outcome,
    string Needs, IReadOnlyList<FlagDecisionResponse> Decisions);
