using Onward.Contracts.Flags;

namespace Onward.Core.Flags;

/// <summary>
/// A flag change waiting for approval in an environment whose policy has <c>flags: { approval: true }</c>: replacing
/// the environment's set (<see cref="FlagRequestKind.Set"/>, payload the document), switching a flag (payload the
/// switch as JSON) or removing a switch. Applied once the environment's approvals are given, exactly as if it had
/// been made directly then.
/// </summary>
public sealed record FlagChangeRequest(
    long Id, string Environment, FlagRequestKind Kind, string? Key, string Payload, string RequestedBy, string Comment, FlagRequestState State, DateTimeOffset CreatedAt, string? Outcome);
