using System.Globalization;

namespace Onward.Core.Flags;

/// <summary>
/// The work one request may spend on evaluations: each flag at most <see cref="PerEvaluation"/> operations (an
/// operator run, an item looped over, an item merged, a character joined), all of a request's flags together at most
/// its total; the caller's cancellation (a client that went away) is checked as it goes. Not shared between threads.
/// </summary>
public sealed class EvaluationBudget(long total, CancellationToken cancellationToken)
{
    public const long PerEvaluation = 2_000_000;
    public const long PerRequest = 20_000_000;
    private const int CheckEvery = 1024;
    private long _total = total;
    private long _left;
    private long _spent;

    public EvaluationBudget(CancellationToken cancellationToken)
        : this(PerRequest, cancellationToken)
    {
    }

    /// <summary>An evaluation starts: it may spend what one may, or what the request has left.</summary>
    internal void Begin() => _left = Math.Min(PerEvaluation, _total);

    internal void Spend(long operations)
    {
        _left -= operations;
        _total -= operations;
        if (_left < 0)
        {
            throw new EvaluationLimitException(_total < 0
                ? $"the evaluations of this request took more than {PerRequest.ToString("N0", CultureInfo.InvariantCulture)} operations (limit: operations per request)"
                : $"it took more than {PerEvaluation.ToString("N0", CultureInfo.InvariantCulture)} operations (limit: operations per evaluation)");
        }
        if ((_spent += operations) >= CheckEvery)
        {
            _spent = 0;
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
