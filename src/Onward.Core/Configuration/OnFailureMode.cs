namespace Onward.Core.Configuration;

public enum OnFailureMode
{
    /// <summary>The last succeeded release is brought back (re-applied where the target needs it).</summary>
    Restore,

    /// <summary>Nothing more is done after a failure.</summary>
    Halt,
}
