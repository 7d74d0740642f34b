using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Onward.Testing;

namespace Onward.Server.Tests.Production;

/// <summary>Issue 22.5: https served by Onward itself (with a renewed certificate picked up), and behind a TLS proxy.</summary>
public class HttpsTests
{
    /// <summary>A self-signed certificate for 127.0.0.1 written as PEM files; returns its thumbprint.</summary>
    private static async Task<string> WriteCertificateAsync(string certificate, string key, string name)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // The key first, then the certificate: a reader that sees the new certificate sees its key.
        await File.WriteAllTextAsync(key + ".new", rsa.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(certificate + ".new", made.ExportCertificatePem());
        File.Move(key + ".new", key, overwrite: true);
        File.Move(certificate + ".new", certificate, overwrite: true);
        return made.Thumbprint;
    }

    /// <summary>The thumbprint of the certificate a new connection is served, trusted only when it is one the test made.</summary>
    private static async Task<string?> ServedThumbprintAsync(Uri server, IReadOnlyCollection<string> made)
    {
        string? seen = null;
        using var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    seen = certificate is null ? null : Convert.ToHexString(certificate.GetCertHash());
                    return seen is not null && made.Contains(seen);
                },
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = server };
        (await http.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        return seen;
    }

    [Fact]
    public async Task An_https_listen_address_serves_the_pem_certificate_reads_it_again_when_renewed_and_sets_secure_cookies()
    {
        await using var dir = new TempDirectory();
        var (certificate, key) = (dir.Combine("tls.crt"), dir.Combine("tls.key"));
        var first = await WriteCertificateAsync(certificate, key, "first");
        var port = Ports.Free();
        var yaml = TestConfig.Yaml(port, [TestConfig.ManualEnvironment("prod")], [], "auth: { mode: tokens }")
            .Replace($"listen: http://127.0.0.1:{port}", $"listen: https://127.0.0.1:{port}\n  tls: {{ certificate: tls.crt, key: tls.key }}", StringComparison.Ordinal);
        await using var onward = await OnwardHost.StartAsync(dir.Path, yaml);
        var server = new Uri($"https://127.0.0.1:{port}/");

        var made = new List<string> { first };
        (await ServedThumbprintAsync(server, made)).ShouldBe(first);
        var root = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
        using var browser = new UiClient(server, h => h.SslOptions.RemoteCertificateValidationCallback =
            (_, served, _, _) => served is not null && Convert.ToHexString(served.GetCertHash()) == first);
        var signedIn = await browser.SignInAsync(JsonDocument.Parse(root.Output).RootElement.GetProperty("token").GetString()!);
        signedIn.Headers.Location!.ToString().ShouldStartWith($"https://127.0.0.1:{port}/");
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-onward_session=", StringComparison.Ordinal));
        cookie.ShouldContain("secure");
        cookie.ShouldContain("httponly");
        (await browser.PageAsync("/")).ShouldContain("Signed in as <strong>root</strong>");

        var renewed = await WriteCertificateAsync(certificate, key, "renewed");
        made.Add(renewed);
        await Eventually.WaitAsync(async () => await ServedThumbprintAsync(server, made) == renewed, "the renewed certificate to be served");
    }

    [Fact]
    public async Task Forwarded_headers_count_only_from_trusted_proxies_and_a_public_https_address_makes_cookies_secure()
    {
        await using var dir = new TempDirectory();
        async Task<(HttpResponseMessage Answer, OnwardHost Onward)> SignInBehindAsync(string server, IReadOnlyDictionary<string, string> headers)
        {
            var port = Ports.Free();
            var onward = await OnwardHost.StartAsync(dir.Path, TestConfig.Yaml(port, [TestConfig.ManualEnvironment("prod")], [], "auth: { mode: tokens }")
                .Replace("  dataDir: .onward", "  dataDir: .onward\n" + server, StringComparison.Ordinal)
                .Replace("sqlite:onward.db", $"sqlite:onward-{port}.db", StringComparison.Ordinal)
                .Replace("dataDir: .onward", $"dataDir: .onward-{port}", StringComparison.Ordinal));
            var created = await OnwardCli.RunAsync(dir.Path, "tokens", "create", "--config", "onward.yaml", "--name", "root", "--role", "admin", "--json");
            using var browser = new UiClient(onward.Config.Server.Listen);
            return (await browser.SignInAsync(JsonDocument.Parse(created.Output).RootElement.GetProperty("token").GetString()!, headers), onward);
        }
        var forwarded = new Dictionary<string, string> { ["X-Forwarded-Proto"] = "https", ["X-Forwarded-Host"] = "onward.example", ["X-Forwarded-For"] = "203.0.113.7" };

        var (trusted, one) = await SignInBehindAsync("  trustedProxies: [127.0.0.1]", forwarded);
        await using (one)
        {
            trusted.Headers.Location!.ToString().ShouldStartWith("https://onward.example/");
            trusted.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith("onward_session=", StringComparison.Ordinal) && c.Contains("secure", StringComparison.Ordinal));
        }
        var (untrusted, two) = await SignInBehindAsync("  trustedProxies: [10.0.0.0/8]", forwarded);
        await using (two)
        {
            untrusted.Headers.Location!.ToString().ShouldStartWith("http://127.0.0.1:", customMessage: "a client cannot claim https or another host");
            untrusted.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith("onward_session=", StringComparison.Ordinal) && !c.Contains("secure", StringComparison.Ordinal));
        }
        var (proxied, three) = await SignInBehindAsync("  publicUrl: https://onward.example", new Dictionary<string, string> { ["Host"] = "onward.example" });
        await using (three)
        {
            proxied.Headers.Location!.ToString().ShouldStartWith("https://onward.example/", customMessage: "a request for the public https address came through its TLS proxy");
            proxied.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith("__Host-onward_session=", StringComparison.Ordinal) && c.Contains("secure", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Https_without_a_certificate_is_refused_in_one_line_by_validate_and_serve()
    {
        await using var dir = new TempDirectory();
        var port = Ports.Free();
        await File.WriteAllTextAsync(dir.Combine("onward.yaml"), TestConfig.Yaml(port, [TestConfig.ManualEnvironment("prod")], [])
            .Replace($"listen: http://127.0.0.1:{port}", $"listen: https://127.0.0.1:{port}", StringComparison.Ordinal));
        await File.WriteAllTextAsync(dir.Combine("plain.yaml"), TestConfig.Yaml(port, [TestConfig.ManualEnvironment("prod")], []));

        var validate = await OnwardCli.RunAsync(dir.Path, "validate", "onward.yaml");
        var serve = await OnwardCli.RunAsync(dir.Path, "serve", "--config", "plain.yaml", "--listen", $"https://127.0.0.1:{port}");

        validate.ExitCode.ShouldBe(1);
        (validate.Output + validate.Error).ShouldContain("is https but the server has no certificate");
        serve.ExitCode.ShouldBe(1);
        serve.Error.Trim().Split('\n').ShouldHaveSingleItem().ShouldContain("add `server.tls: { certificate: FILE, key: FILE }`");
        serve.Error.ShouldNotContain("Exception");
    }
}
