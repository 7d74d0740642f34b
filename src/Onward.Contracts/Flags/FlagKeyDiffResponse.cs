namespace Onward.Contracts.Flags;

/// <summary>One flag that differs: <c>added</c>, <c>removed</c> or <c>changed</c>, with the fields that differ.</summary>
public sealed record FlagKeyDiffResponse(string Key, string Change, IReadOnlyList<FlagFieldChangeResponse> Fields);
