using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;

namespace Onward.Server.Hosting;

/// <summary>
/// The certificate an <c>https://</c> listen address serves, from <c>server.tls</c>'s PEM files (the certificate file
/// may carry its chain, sent along). The files are looked at again at most once a second, on the next handshake, so a
/// renewed certificate (cert-manager swapping a Secret's files, certbot) is served without a restart; a pair that
/// cannot be read (written halfway) keeps the previous one, said in the log.
/// </summary>
public sealed class TlsCertificates
{
    private static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(1);
    private readonly TlsOptions _options;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private SslStreamCertificateContext _context;
    private (DateTime Certificate, DateTime Key) _written;
    private DateTimeOffset _lookedAt;

    /// <exception cref="ServerStartException">The files cannot be read as a certificate and its key.</exception>
    public TlsCertificates(TlsOptions options, TimeProvider time)
    {
        (_options, _time) = (options, time);
        _written = WrittenAt();
        try
        {
            _context = Load();
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ServerStartException($"cannot read server.tls ({options.Certificate}, {options.Key}): {e.Message}; give a PEM certificate and its PEM private key");
        }
        _lookedAt = time.GetUtcNow();
    }

    public ILogger? Logger { get; set; }

    public SslStreamCertificateContext Current
    {
        get
        {
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                if (now - _lookedAt < LookEvery)
                {
                    return _context;
                }
                _lookedAt = now;
                var written = WrittenAt();
                if (written == _written)
                {
                    return _context;
                }
                try
                {
                    _context = Load();
                    _written = written;
                    Logger?.LogInformation("Serving the renewed certificate {Subject} (until {NotAfter:u}) from {File}",
                        _context.TargetCertificate.Subject, _context.TargetCertificate.NotAfter.ToUniversalTime(), _options.Certificate);
                }
                catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
                {
                    Logger?.LogWarning("Keeping the certificate served so far: {File} and {Key} cannot be read as a pair yet ({Reason})", _options.Certificate, _options.Key, e.Message);
                }
                return _context;
            }
        }
    }

    public SslServerAuthenticationOptions Options() => new() { ServerCertificateContext = Current };

    private SslStreamCertificateContext Load()
    {
        // The certificate file is read once for the leaf and its chain, so that a renewal cannot land between the two.
        var certificate = File.ReadAllText(_options.Certificate);
        using var leaf = X509Certificate2.CreateFromPem(certificate, File.ReadAllText(_options.Key));
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(certificate);
        // On some platforms a key from PEM is ephemeral; exporting and importing makes it one SslStream can always use.
        var served = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        return SslStreamCertificateContext.Create(served, [.. chain.Skip(1)], offline: true);
    }

    private (DateTime, DateTime) WrittenAt() => (File.GetLastWriteTimeUtc(_options.Certificate), File.GetLastWriteTimeUtc(_options.Key));
}
