namespace Onward.Core.Sources;

/// <summary>
/// The rules of <c>git check-ref-format</c> (https://git-scm.com/docs/git-check-ref-format) for a full ref name from
/// outside, such as a webhook's <c>refs/heads/main</c>, plus a length limit.
/// </summary>
public static class RefName
{
    public const int MaxLength = 255;

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name.StartsWith('-') || name.EndsWith('/') || name.EndsWith('.')
            || name.Contains("..", StringComparison.Ordinal) || name.Contains("@{", StringComparison.Ordinal) || name.Contains("//", StringComparison.Ordinal)
            || name == "@")
        {
            return false;
        }
        foreach (var c in name)
        {
            if (c < 0x20 || c == 0x7f || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\')
            {
                return false;
            }
        }
        return name.Split('/').All(part => part.Length > 0 && !part.StartsWith('.') && !part.EndsWith(".lock", StringComparison.Ordinal));
    }
}
