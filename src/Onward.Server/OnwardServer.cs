using Microsoft.AspNetCore.Server.Kestrel.Core;
using Onward.Core.Configuration;
using Onward.Core.Insight;
using Onward.Server.Auth;
using Onward.Server.Composition;
using Onward.Server.Configuration;
using Onward.Server.Hosting;
using Onward.Server.Ofrep;
using Onward.Server.Problems;
using Onward.Server.Ui;
using Onward.Server.Webhooks;
using Onward.Storage.Database;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Onward.Server;

/// <summary>Wires the server: nothing here decides anything, it only connects the parts.</summary>
public static class OnwardServer
{
    public static Task<WebApplication> BuildAsync(OnwardConfig config, ServerLogging logging, CancellationToken cancellationToken) =>
        BuildAsync(config, null, logging, TimeProvider.System, cancellationToken);

    public static Task<WebApplication> BuildAsync(OnwardConfig config, ServerLogging logging, TimeProvider time, CancellationToken cancellationToken) =>
        BuildAsync(config, null, logging, time, cancellationToken);

    /// <param name="config">The configuration to start with, as the command line adjusted it.</param>
    /// <param name="origin">The file it came from, watched and loaded again when it changes; null for a configuration that never changes.</param>
    /// <param name="time">The clock of every decision the server takes; tests move it to cross freeze windows and expiries.</param>
    public static Task<WebApplication> BuildAsync(OnwardConfig config, ConfigOrigin? origin, ServerLogging logging, TimeProvider time, CancellationToken cancellationToken)
    {
        // Nothing is touched (database, release processes) before it is sure that this server can run here.
        if (ListenCheck.Problem(config.Server.Listen) is { } cannotListen)
        {
            throw new ServerStartException(cannotListen);
        }
        var certificates = config.Server.Listen.Scheme == "https"
            ? new TlsCertificates(config.Server.Tls ?? throw new ServerStartException($"{config.Server.Listen} is https but `server.tls` gives no certificate"), time)
            : null;
        Directory.CreateDirectory(config.Server.DataDir);
        var identity = ServerIdentity.Claim(config.Server);
        try
        {
            return Task.FromResult(Build(config, origin, logging, time, identity, certificates));
        }
        catch
        {
            identity.Dispose();
            throw;
        }
    }

    private static WebApplication Build(OnwardConfig config, ConfigOrigin? origin, ServerLogging logging, TimeProvider time, ServerIdentity identity, TlsCertificates? certificates)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (certificates is null)
        {
            builder.WebHost.UseUrls(config.Server.Listen.ToString());
        }
        else
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The largest body any route takes; each route holds its own, smaller limit (RequestSizeLimit metadata).
            kestrel.Limits.MaxRequestBodySize = WebhookReceiver.MaxPayloadBytes + 1;
            kestrel.AddServerHeader = false;
            kestrel.ConfigureEndpointDefaults(listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.UseProblemBodies();
            });
            if (certificates is not null)
            {
                // Each handshake takes the certificate as it is now, so a renewed one is served without a restart.
                ListenHttps.On(kestrel, config.Server.Listen, new Microsoft.AspNetCore.Server.Kestrel.Https.TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(certificates.Options()) });
            }
        });
        builder.Host.ConfigureHostOptions(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        logging.Apply(builder.Logging);
        var database = OnwardDatabase.FromUrl(config.Server.Database);
        if (database is PostgresDatabase postgres)
        {
            postgres.Waiting += message => Console.Error.WriteLine("onward: " + message);
        }
        var services = builder.Services;
        // Made by a factory so that the container disposes it (and so releases its lock) when the server stops.
        services.AddSingleton(_ => identity);
        AddTraces(services, identity);
        var configuration = new ConfigSource(config);
        services.AddSingleton(new ConfigStatus(origin, time));
        services.AddSingleton(provider => new ConfigReloader(origin, configuration, provider.GetRequiredService<ConfigStatus>(), time,
            provider.GetRequiredService<ILogger<ConfigReloader>>()));
        services.AddHostedService(provider => provider.GetRequiredService<ConfigReloader>());
        services.AddOnwardCore(configuration, time)
            .AddOnwardStorage(database)
            .AddOnwardIntegrations(config)
            .AddOnwardWorkers()
            .AddOnwardWeb(config)
            .AddOnwardOidc(config);

        var app = builder.Build();
        if (certificates is not null)
        {
            certificates.Logger = app.Services.GetRequiredService<ILogger<TlsCertificates>>();
        }
        if (config.Server.TrustedProxies.Count > 0)
        {
            app.UseForwardedHeaders(ForwardedFrom.Proxies(config.Server));
        }
        app.UseMiddleware<PublicAddress>();
        app.UseExceptionHandler();
        app.UseMiddleware<LoopbackHosts>();
        app.UseStatusCodePages();
        app.UseMiddleware<BadRequestProblems>();
        app.UseRouting();
        app.UseMiddleware<DeclaredBodyLimit>();
        if (config.Auth.Oidc is not null)
        {
            // Takes the provider's answers at /signin-oidc; every other request passes through untouched.
            app.UseAuthentication();
        }
        app.UseMiddleware<AuthenticationMiddleware>();
        app.UseMiddleware<CrossSiteRefusal>();
        app.UseMiddleware<UiSession>();
        app.UseAntiforgery();
        app.Use(CrossSiteRefusal.RefuseForgedFormsAsync);
        app.MapOfrep();
        app.MapOnwardUi();
        app.MapOnwardApi();
        return app;
    }

    /// <summary>One OpenTelemetry trace per release, exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.</summary>
    private static void AddTraces(IServiceCollection services, ServerIdentity identity)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            // The exporter reads the endpoint, protocol, headers and batching from the standard OTEL_* variables.
            services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService("onward", serviceInstanceId: identity.Name))
                .WithTracing(tracing => tracing.AddSource(ReleaseTraces.SourceName).AddOtlpExporter());
        }
    }
}
