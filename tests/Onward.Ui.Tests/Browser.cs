using Microsoft.Playwright;

namespace Onward.Ui.Tests;

/// <summary>Debian's chromium, driven by Playwright for .NET, headless; one browser per test, closed with it.</summary>
internal sealed class Browser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Browser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

    public static async Task<Browser> LaunchAsync()
    {
        const string chromium = "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new FileNotFoundException($"{chromium} is missing; run scripts/setup.sh (it installs Debian's chromium)", chromium);
        }
        // Expectations wait as long as actions do: 5 s (Playwright's default) was once too short for a page to load on a
        // loaded CI machine, though the page came a moment later.
        Assertions.SetDefaultExpectTimeout(30_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return new Browser(playwright, browser);
    }

    /// <summary>A page in a context of its own (its own cookies: one person).</summary>
    /// <param name="selfSignedHttps">Take a certificate no authority signed (a test's TLS proxy).</param>
    public async Task<IPage> PageAsync(Uri server, bool selfSignedHttps = false)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.ToString(), IgnoreHTTPSErrors = selfSignedHttps });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>A page of its own, signed in with <paramref name="token"/> at /login, on the Overview.</summary>
    public async Task<IPage> SignInAsync(Uri server, string token)
    {
        var page = await PageAsync(server);
        await page.GotoAsync("/login");
        await page.GetByLabel("Token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
