namespace Onward.Core.Pipeline;

/// <summary>Names of the actors Onward itself acts as in event logs.</summary>
public static class Actors
{
    public const string Onward = "onward";
    public const string Anonymous = "anonymous";
}
