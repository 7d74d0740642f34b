using Onward.Core.Previews;
using Onward.Core.Webhooks;

namespace Onward.Integrations.GitProviders;

/// <summary>What a provider's event means to Onward.</summary>
public abstract record ProviderReading
{
    public sealed record Push(PushEvent Event) : ProviderReading;

    public sealed record PullRequest(PullRequestEvent Event) : ProviderReading;

    /// <summary>An event Onward knows and has nothing to do for (ping, create, delete).</summary>
    public sealed record Ignored(string Reason) : ProviderReading;

    /// <summary>An event Onward does not handle.</summary>
    public sealed record Unknown(string Reason) : ProviderReading;
}
