namespace Onward.Core.Sources;

/// <summary>
/// A service's repository as configured: a local path, an scp-like address (<c>git@host:acme/shop.git</c>) or a URL,
/// which may carry credentials (<c>https://ci:TOKEN@git.example/acme/shop.git</c>). The credentials never leave this
/// type as text: <see cref="Url"/> is the address without them (what git is given, what webhooks are matched
/// against), <see cref="ToString"/> shows them masked (what the API and the logs say), and the HTTP(S) credentials
/// reach git only as a header in its environment (<see cref="Credentials"/>), never on a command line.
/// </summary>
public sealed class RepositoryAddress : IEquatable<RepositoryAddress>
{
    private readonly string _configured;
    private readonly string _shown;

    private RepositoryAddress(string configured, string url, string shown, RepositoryCredentials? credentials)
    {
        _configured = configured;
        Url = url;
        _shown = shown;
        Credentials = credentials;
    }

    /// <summary>The address without credentials.</summary>
    public string Url { get; }

    /// <summary>The user and password of an HTTP(S) URL, for an <c>Authorization</c> header; null when there are none.</summary>
    public RepositoryCredentials? Credentials { get; }

    /// <summary>A path on this host rather than a URL.</summary>
    public bool IsLocal => !_configured.Contains("://", StringComparison.Ordinal) && !IsScpLike(_configured);

    /// <summary>
    /// Reads a URL (kept as written), an scp-like address, or a path. A URL's credentials are taken out: all of an
    /// HTTP(S) user info (a token is often written as the user), or the password of another scheme's.
    /// </summary>
    public static RepositoryAddress Parse(string text)
    {
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0)
        {
            return new RepositoryAddress(text, text, text, null);
        }
        var authorityStart = scheme + 3;
        var authorityEnd = text.IndexOfAny(['/', '?', '#'], authorityStart);
        var authority = authorityEnd < 0 ? text[authorityStart..] : text[authorityStart..authorityEnd];
        var at = authority.LastIndexOf('@');
        if (at < 0)
        {
            return new RepositoryAddress(text, text, text, null);
        }
        var userInfo = authority[..at];
        var prefix = text[..authorityStart];
        var rest = text[(authorityStart + at + 1)..];
        var isHttp = text[..scheme].ToLowerInvariant() is "http" or "https";
        if (isHttp)
        {
            var colon = userInfo.IndexOf(':');
            var user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            var password = colon < 0 ? "" : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
            return new RepositoryAddress(text, prefix + rest, prefix + "***@" + rest, new RepositoryCredentials(user, password));
        }
        var userOnly = userInfo.Split(':')[0];
        return userInfo.Contains(':', StringComparison.Ordinal)
            ? new RepositoryAddress(text, prefix + userOnly + "@" + rest, prefix + userOnly + ":***@" + rest, null)
            : new RepositoryAddress(text, text, text, null);
    }

    /// <summary>The same as <see cref="Parse"/>, so that a path or URL can be given where an address is asked for.</summary>
    public static implicit operator RepositoryAddress(string text) => Parse(text);

    public static RepositoryAddress FromString(string text) => Parse(text);

    /// <summary>The address with any credentials masked: safe to show to anyone and to log.</summary>
    public override string ToString() => _shown;

    public bool Equals(RepositoryAddress? other) => other is not null && other._configured == _configured;

    public override bool Equals(object? obj) => Equals(obj as RepositoryAddress);

    public override int GetHashCode() => _configured.GetHashCode(StringComparison.Ordinal);

    private static bool IsScpLike(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return colon > 0 && (slash < 0 || colon < slash) && text[..colon].Contains('@', StringComparison.Ordinal);
    }
}
