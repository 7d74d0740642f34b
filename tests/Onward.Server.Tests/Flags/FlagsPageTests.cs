using System.Net;
using System.Text;
using Onward.Testing;

namespace Onward.Server.Tests.Flags;

/// <summary>Issue 22.9: the flags page of an environment with thousands of flags is shown a page at a time.</summary>
public class FlagsPageTests
{
    [Fact]
    public async Task Five_thousand_flags_are_shown_fifty_at_a_time_with_a_filter_by_key()
    {
        await using var dir = new TempDirectory();
        await using var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(Ports.Free(), [TestConfig.ManualEnvironment("dev")], []));
        var flags = string.Join(",", Enumerable.Range(0, 5000).Select(i =>
            $"\"flag-{i:D4}\":{{\"state\":\"ENABLED\",\"variants\":{{\"on\":true,\"off\":false}},\"defaultVariant\":\"off\",\"targeting\":{{\"if\":[{{\"==\":[{{\"var\":\"plan\"}},\"pro\"]}},\"on\"]}}}}"));
        using (var put = await onward.Api.Http.PutAsync("api/v1/environments/dev/flags", new StringContent("{\"flags\":{" + flags + "}}", Encoding.UTF8, "application/json")))
        {
            put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        }
        using var browser = new UiClient(onward.Config.Server.Listen);

        var first = await browser.PageAsync("/environments/dev/flags");
        string Text(string html) => WebUtility.HtmlDecode(html);

        Encoding.UTF8.GetByteCount(first).ShouldBeLessThan(400_000, "was 14.6 MB with every flag on one page");
        Text(first).ShouldContain("Flags 1–50 of 5,000, by key.");
        first.ShouldContain("data-flag=\"flag-0049\"");
        first.ShouldNotContain("data-flag=\"flag-0050\"");
        first.ShouldContain("href=\"/environments/dev/flags?after=flag-0049\"");
        var second = await browser.PageAsync("/environments/dev/flags?after=flag-0049");
        Text(second).ShouldContain("Flags 51–100 of 5,000, by key.");
        second.ShouldContain("data-flag=\"flag-0050\"");
        var found = await browser.PageAsync("/environments/dev/flags?key=flag-4321");
        Text(found).ShouldContain("Flags 1–1 of 1, by key.");
        found.ShouldContain("data-flag=\"flag-4321\"");
        var none = await browser.PageAsync("/environments/dev/flags?key=nothing-like-it");
        Text(none).ShouldContain("No flag's key contains \"nothing-like-it\".");
    }
}
