using System.Text;

namespace Onward.Core.Sources;

/// <summary>A user and password for a repository on HTTP(S).</summary>
public sealed record RepositoryCredentials(string User, string Password)
{
    /// <summary>The value of an <c>Authorization</c> header (RFC 7617), as git itself would send it.</summary>
    public string BasicHeader => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));

    /// <summary>Never the secrets themselves (the user is often a token), should a record ever be logged.</summary>
    public override string ToString() => "***";
}
