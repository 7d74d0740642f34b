namespace Onward.Core.Freezes;

/// <summary>An environment is frozen until <see cref="Until"/>; <see cref="Why"/> says by what.</summary>
public sealed record ActiveFreeze(DateTimeOffset Until, string Why)
{
    /// <summary>When the freeze in force at the moment asked about began (a window's start, an ad-hoc freeze's setting).</summary>
    public DateTimeOffset Began { get; init; }

    /// <summary>What it is and when it ends, as requests refused and deployments held by it say.</summary>
    public override string ToString() => $"{Why}; it ends {Until.ToOffset(TimeSpan.Zero):yyyy-MM-dd HH:mm} UTC";
}
