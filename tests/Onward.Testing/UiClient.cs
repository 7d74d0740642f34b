using System.Net;
using System.Text.RegularExpressions;

namespace Onward.Testing;

/// <summary>
/// The web UI as a browser speaks to it, without a browser: cookies kept, redirects not followed, a page's forms read
/// with their anti-forgery tokens and posted back, headers (an Origin, a forwarded scheme) as a test wants them.
/// </summary>
public sealed partial class UiClient : IDisposable
{
    /// <param name="configure">More settings of the connection, e.g. the server certificate to accept.</param>
    public UiClient(Uri server, Action<SocketsHttpHandler>? configure = null)
    {
        Handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = Cookies };
        configure?.Invoke(Handler);
        Http = new HttpClient(Handler, disposeHandler: false) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
    }

    public CookieContainer Cookies { get; } = new();

    public SocketsHttpHandler Handler { get; }

    public HttpClient Http { get; }

    public async Task<string> PageAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}, not 200");
        }
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The anti-forgery token of the form named <paramref name="formName"/> on <paramref name="html"/>.</summary>
    public static string Token(string html, string formName)
    {
        foreach (Match form in FormRegex().Matches(html))
        {
            var body = form.Groups[1].Value;
            if (HandlerRegex().Match(body) is { Success: true } handler && WebUtility.HtmlDecode(handler.Groups[1].Value) == formName
                && TokenRegex().Match(body) is { Success: true } token)
            {
                return WebUtility.HtmlDecode(token.Groups[1].Value);
            }
        }
        throw new InvalidOperationException($"no form named {formName} with an anti-forgery token on the page");
    }

    /// <summary>The anti-forgery token of the form that posts to <paramref name="action"/> (such as the layout's Sign out).</summary>
    public static string TokenOfAction(string html, string action)
    {
        foreach (Match form in FormTagRegex().Matches(html))
        {
            if (form.Groups[1].Value.Contains($"action=\"{action}\"", StringComparison.Ordinal) && TokenRegex().Match(form.Groups[2].Value) is { Success: true } token)
            {
                return WebUtility.HtmlDecode(token.Groups[1].Value);
            }
        }
        throw new InvalidOperationException($"no form posting to {action} with an anti-forgery token on the page");
    }

    /// <summary>Signs out with the layout's form, as the Sign out button does.</summary>
    public async Task<HttpResponseMessage> SignOutAsync()
    {
        var token = TokenOfAction(await PageAsync("/"), "/logout");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/logout")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }),
        };
        request.Headers.Add("Origin", Http.BaseAddress!.GetLeftPart(UriPartial.Authority));
        return await Http.SendAsync(request);
    }

    /// <summary>The value of the cookie <paramref name="name"/> this client holds, if any.</summary>
    public string? Cookie(string name) => Cookies.GetAllCookies().FirstOrDefault(c => c.Name == name)?.Value;

    /// <summary>Posts a page's form: its name, its fields, and the token (read from the page unless given).</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string path, string formName, IReadOnlyDictionary<string, string> fields, string? token = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        token ??= Token(await PageAsync(path), formName);
        var form = new Dictionary<string, string>(fields) { ["_handler"] = formName };
        if (token.Length > 0)
        {
            form["__RequestVerificationToken"] = token;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("Origin", Http.BaseAddress!.GetLeftPart(UriPartial.Authority));
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await Http.SendAsync(request);
    }

    /// <summary>Signs in at /login as a person does; the answer is the redirect to the Overview (or the page again).</summary>
    public Task<HttpResponseMessage> SignInAsync(string token, IReadOnlyDictionary<string, string>? headers = null) =>
        PostFormAsync("/login", "login", new Dictionary<string, string> { ["Token"] = token }, headers: headers);

    public void Dispose()
    {
        Http.Dispose();
        Handler.Dispose();
    }

    [GeneratedRegex("<form[^>]*>(.*?)</form>", RegexOptions.Singleline)]
    private static partial Regex FormRegex();

    [GeneratedRegex("<form([^>]*)>(.*?)</form>", RegexOptions.Singleline)]
    private static partial Regex FormTagRegex();

    [GeneratedRegex("name=\"_handler\"\\s+value=\"([^\"]*)\"")]
    private static partial Regex HandlerRegex();

    [GeneratedRegex("name=\"__RequestVerificationToken\"\\s+value=\"([^\"]*)\"")]
    private static partial Regex TokenRegex();
}
