namespace Onward.Core.Flags;

/// <summary>A tracked event (<c>POST /flags/{env}/events</c>, OpenFeature's tracking API shape) by one user.</summary>
public sealed record Conversion(string Environment, string Event, string TargetingKey, double? Value, DateTimeOffset At)
{
    public const int LongestEvent = 64;
    public const int LongestTargetingKey = 256;
}
