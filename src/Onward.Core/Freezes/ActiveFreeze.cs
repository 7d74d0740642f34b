namespace Onward.Core.Freezes;

/// <summary>An environment is frozen until <see cref="Until"/>; <see cref="Why"/> says by what.</summary>
public sealed record ActiveFreeze(DateTimeOffset Until, string Why);
