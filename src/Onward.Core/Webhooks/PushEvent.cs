namespace Onward.Core.Webhooks;

/// <summary>What a provider's push notification says, in Onward's terms.</summary>
/// <param name="Repositories">Every name and URL the payload gives for the repository (clone URLs, web URL, full name).</param>
public sealed record PushEvent(IReadOnlyList<string> Repositories, IReadOnlyList<RefChange> Changes);
