namespace Onward.Core.Freezes;

/// <summary>An environment is frozen until <see cref="Until"/>; <see cref="Why"/> says by what.</summary>
public sealed record ActiveFreeze(DateTimeOffset Until, string Why)
{
    /// <summary>What it is and when it ends, as requests refused and deployments held by it say.</summary>
    public override string ToString() => $"{Why}; it ends {Until.ToOffset(TimeSpan.Zero):yyyy-MM-dd HH:mm} UTC";
}
