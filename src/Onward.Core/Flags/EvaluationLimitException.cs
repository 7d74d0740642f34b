namespace Onward.Core.Flags;

/// <summary>An evaluation stopped because it spent its <see cref="EvaluationBudget"/>.</summary>
public sealed class EvaluationLimitException(string message) : Exception(message);
