namespace Onward.Contracts.Problems;

/// <summary>
/// The most each kind of field and body takes (rule 12 of docs/ARCHITECTURE.md). Longer is refused with a 400 problem that names the
/// field and its limit, before anything is stored.
/// </summary>
public static class FieldLimits
{
    /// <summary>Service, environment, token and group names.</summary>
    public const int Name = 100;

    /// <summary>A version label such as <c>3f2a9c1</c> or <c>2.0.3</c>.</summary>
    public const int Version = 128;

    /// <summary>A branch or tag, by git's own limit on ref names.</summary>
    public const int Ref = 255;

    public const int Image = 512;

    /// <summary>Free text: reasons, comments, override reasons.</summary>
    public const int Text = 2000;

    /// <summary>Roles, durations and times.</summary>
    public const int Word = 64;

    /// <summary>Groups one token carries.</summary>
    public const int Groups = 32;

    /// <summary>Any JSON body sent to <c>/api/v1</c>.</summary>
    public const int ApiBody = 64 * 1024;
}
