namespace Onward.Core;

/// <summary>SemVer 2.0 precedence of pre-release identifiers (https://semver.org/#spec-item-11), for every kind of version Onward compares.</summary>
public static class SemVerPrecedence
{
    /// <summary>
    /// Compares two pre-releases, each as its dot-separated identifiers (none for a release, which sorts after any
    /// pre-release of it): numbers by value and before words, words by ASCII order, a longer list after its prefix.
    /// </summary>
    public static int ComparePreRelease(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return a.Count == b.Count ? 0 : a.Count == 0 ? 1 : -1;
        }
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            var (x, y) = (a[i], b[i]);
            var order = (x.All(char.IsAsciiDigit), y.All(char.IsAsciiDigit)) switch
            {
                (true, true) => x.Length != y.Length ? x.Length.CompareTo(y.Length) : string.CompareOrdinal(x, y),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(x, y),
            };
            if (order != 0)
            {
                return Math.Sign(order);
            }
        }
        return a.Count.CompareTo(b.Count);
    }
}
