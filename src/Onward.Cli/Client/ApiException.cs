using Onward.Contracts.Problems;

namespace Onward.Cli.Client;

/// <summary>The server answered with a problem; <see cref="Exception.Message"/> is its detail.</summary>
public sealed class ApiException(int status, ProblemResponse? problem, string fallback)
    : Exception(problem?.Detail ?? problem?.Title ?? fallback)
{
    public int Status { get; } = status;

    public ProblemResponse? Problem { get; } = problem;
}
