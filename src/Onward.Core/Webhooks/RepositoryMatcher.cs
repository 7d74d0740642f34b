using System.Text.RegularExpressions;

namespace Onward.Core.Webhooks;

/// <summary>
/// Decides whether a webhook's repository is a service's. Providers name a repository several ways (HTTPS and SSH
/// clone URLs, web URL, owner/name); all are reduced to <c>host/owner/name</c> and compared with the service's
/// <c>repository</c>.
/// </summary>
public static partial class RepositoryMatcher
{
    public static bool Matches(string serviceRepository, IReadOnlyList<string> identities)
    {
        var service = Normalize(serviceRepository);
        foreach (var identity in identities)
        {
            var candidate = Normalize(identity);
            if (candidate.Length == 0)
            {
                continue;
            }
            if (candidate == service || (!candidate.Contains(':', StringComparison.Ordinal) && IsFullName(identity) && service.EndsWith("/" + candidate, StringComparison.Ordinal)))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary><c>https://user@Host:443/Owner/Name.git</c>, <c>git@host:owner/name.git</c> and <c>ssh://git@host/owner/name</c> all become <c>host/owner/name</c>.</summary>
    public static string Normalize(string repository)
    {
        var value = repository.Trim().TrimEnd('/');
        if (value.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            value = value[..^4];
        }
        if (value.StartsWith('/'))
        {
            return value;
        }
        var scp = ScpRegex().Match(value);
        if (scp.Success)
        {
            return (scp.Groups["host"].Value + "/" + scp.Groups["path"].Value).ToLowerInvariant();
        }
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme != "file")
        {
            return (uri.Host + uri.AbsolutePath).TrimEnd('/').ToLowerInvariant();
        }
        if (uri?.Scheme == "file")
        {
            return uri.LocalPath.TrimEnd('/');
        }
        return value.ToLowerInvariant();
    }

    private static bool IsFullName(string identity) => FullNameRegex().IsMatch(identity);

    [GeneratedRegex(@"^(?:[\w.-]+@)?(?<host>[\w.-]+):(?<path>[^/].*)$")]
    private static partial Regex ScpRegex();

    [GeneratedRegex(@"^[\w.-]+(/[\w.-]+)+$")]
    private static partial Regex FullNameRegex();
}
