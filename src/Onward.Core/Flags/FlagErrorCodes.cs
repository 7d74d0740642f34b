namespace Onward.Core.Flags;

/// <summary>OpenFeature's error codes, as flagd and OFREP use them.</summary>
public static class FlagErrorCodes
{
    public const string FlagNotFound = "FLAG_NOT_FOUND";
    public const string ParseError = "PARSE_ERROR";
    public const string TypeMismatch = "TYPE_MISMATCH";
    public const string InvalidContext = "INVALID_CONTEXT";
    public const string General = "GENERAL";
}
