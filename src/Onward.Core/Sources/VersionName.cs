using Onward.Core.Messages;

namespace Onward.Core.Sources;

/// <summary>
/// The names a tag or branch may have to become a release's version. Git allows nearly any text in a ref (`;`, `$`,
/// quotes, `>`), and a version travels into commands, image tags, file names, URLs and pages, so only a safe set is
/// accepted: ASCII letters and digits, <c>. _ - + /</c>, 128 characters at most, and a valid git ref name besides
/// (no <c>..</c>, no part starting with <c>.</c> or ending in <c>.lock</c>). Other refs are ignored with this reason.
/// </summary>
public static class VersionName
{
    public const int MaxLength = 128;

    /// <returns>Null when <paramref name="name"/> may be a version, else why not.</returns>
    public static string? Problem(string name)
    {
        if (name.Length > MaxLength)
        {
            return $"'{TextCut.After(name, 80)}' is longer than {MaxLength} characters, the limit of a version";
        }
        var unsafeCharacter = name.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' or '/'));
        if (unsafeCharacter != default)
        {
            return $"'{Printable(name)}' holds {Describe(unsafeCharacter)}; a version may hold only letters, digits and . _ - + /";
        }
        if (name.Length == 0 || name[0] is '-' or '+' || !RefName.IsValid("refs/tags/" + name))
        {
            return $"'{name}' is not a valid git ref name (git check-ref-format)";
        }
        return null;
    }

    private static string Describe(char c) => c switch
    {
        ' ' => "a space",
        '\n' => "a line break",
        _ when char.IsControl(c) => $"the control character U+{(int)c:X4}",
        _ => $"'{c}'",
    };

    private static string Printable(string name) =>
        new(TextCut.After(name, 80).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
