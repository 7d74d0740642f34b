namespace Onward.Testing;

/// <summary>
/// Values a tag or an API field could carry that a shell would run if a command held them as written; each touches a
/// file named by <c>{pwned}</c> (an absolute path a test gives), so that a test can tell whether anything ran.
/// </summary>
public static class HostileText
{
    public static readonly IReadOnlyList<string> Versions =
    [
        "v4;touch {pwned};echo",
        "v1$(touch {pwned})",
        "v1`touch {pwned}`",
        "v1'; touch {pwned}; echo '",
        "v1\"; touch {pwned}; echo \"",
        "v1\ntouch {pwned}",
        "v1 && touch {pwned}",
    ];
}
