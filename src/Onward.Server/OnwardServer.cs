using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Onward.Contracts.Problems;
using Onward.Core.Access;
using Onward.Core.Approvals;
using Onward.Core.Audit;
using Onward.Core.Builds;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Drift;
using Onward.Core.Flags;
using Onward.Core.Freezes;
using Onward.Core.Kubernetes;
using Onward.Core.LocalProcesses;
using Onward.Core.Pipeline;
using Onward.Core.Promotions;
using Onward.Core.Releases;
using Onward.Core.Sources;
using Onward.Core.Targets;
using Onward.Core.Webhooks;
using Onward.Integrations.Git;
using Onward.Integrations.ImageBuilds;
using Onward.Integrations.Kubernetes;
using Onward.Integrations.LocalProcesses;
using Onward.Integrations.Registry;
using Onward.Server.Api.Approvals;
using Onward.Server.Api.Audit;
using Onward.Server.Api.Deployments;
using Onward.Server.Api.Environments;
using Onward.Server.Api.Flags;
using Onward.Server.Api.Health;
using Onward.Server.Api.Releases;
using Onward.Server.Api.Services;
using Onward.Server.Api.Tokens;
using Onward.Server.Api.Webhooks;
using Onward.Server.Auth;
using Onward.Server.Hosting;
using Onward.Server.Ofrep;
using Onward.Server.Problems;
using Onward.Server.Ui;
using Onward.Server.Webhooks;
using Onward.Server.Workers;
using Onward.Storage.Access;
using Onward.Storage.Approvals;
using Onward.Storage.Audit;
using Onward.Storage.Drift;
using Onward.Storage.Flags;
using Onward.Storage.Ui;
using Onward.Storage.Kubernetes;
using Onward.Storage.Database;
using Onward.Storage.Freezes;
using Onward.Storage.Deployments;
using Onward.Storage.LocalProcesses;
using Onward.Storage.Pipeline;
using Onward.Storage.Releases;
using Onward.Storage.Sources;
using Onward.Storage.Webhooks;
using Onward.Storage.Notifications;
using Onward.Server.Api.Notifications;
using Onward.Integrations.Notifications;
using Onward.Core.Notifications;
using Onward.Storage.Insight;
using Onward.Server.Api.Insight;
using Onward.Core.Insight;
using OpenTelemetry.Trace;
using OpenTelemetry.Resources;

namespace Onward.Server;

/// <summary>Wires the server: nothing here decides anything, it only connects the parts.</summary>
public static class OnwardServer
{
    public static Task<WebApplication> BuildAsync(OnwardConfig config, ServerLogging logging, CancellationToken cancellationToken) =>
        BuildAsync(config, logging, TimeProvider.System, cancellationToken);

    /// <param name="time">The clock of every decision the server takes; tests move it to cross freeze windows and expiries.</param>
    public static async Task<WebApplication> BuildAsync(OnwardConfig config, ServerLogging logging, TimeProvider time, CancellationToken cancellationToken)
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
            return await BuildAsync(config, logging, time, identity, certificates, cancellationToken);
        }
        catch
        {
            identity.Dispose();
            throw;
        }
    }

    private static async Task<WebApplication> BuildAsync(
        OnwardConfig config, ServerLogging logging, TimeProvider time, ServerIdentity identity, TlsCertificates? certificates, CancellationToken cancellationToken)
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
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Host.ConfigureHostOptions(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        logging.Apply(builder.Logging);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never);
        // Registered first, so that it writes every problem (the default writer declines callers that do not accept JSON).
        builder.Services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDefaults.Customize);

        var database = OnwardDatabase.FromUrl(config.Server.Database);
        if (database is PostgresDatabase postgres)
        {
            postgres.Waiting += message => Console.Error.WriteLine("onward: " + message);
        }
        try
        {
            await database.MigrateAsync(cancellationToken);
        }
        catch (DatabaseStartException e)
        {
            database.Dispose();
            throw new ServerStartException(e.Message);
        }
        try
        {
            await new ReplicaLeases(config, database, new LeaseStore(database), identity, time).CheckHostAsync(cancellationToken);
            using var loggers = LoggerFactory.Create(logging.Apply);
            await new ManifestScrub(new ManifestStore(database), config, loggers.CreateLogger<ManifestScrub>()).RunAsync(cancellationToken);
        }
        catch (Exception)
        {
            database.Dispose();
            throw;
        }

        var services = builder.Services;
        services.AddSingleton(config);
        // Made by a factory so that the container disposes it (and so releases its lock) when the server stops.
        services.AddSingleton(_ => identity);
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            // The exporter reads the endpoint, protocol, headers and batching from the standard OTEL_* variables.
            services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService("onward", serviceInstanceId: identity.Name))
                .WithTracing(tracing => tracing.AddSource(ReleaseTraces.SourceName).AddOtlpExporter());
        }
        services.AddSingleton(time);
        services.AddSingleton(database);
        services.AddSingleton<JobQueue>();
        services.AddSingleton<ILeaseStore, LeaseStore>();
        services.AddSingleton<ReplicaLeases>();
        services.AddSingleton<IJobQueue>(sp => sp.GetRequiredService<JobQueue>());
        services.AddSingleton<IReleaseStore, ReleaseStore>();
        services.AddSingleton<IDeploymentStore, DeploymentStore>();
        services.AddSingleton<IRefStateStore, RefStateStore>();
        services.AddSingleton<ILocalPortStore, LocalPortStore>();
        services.AddSingleton<IDeliveryStore, DeliveryStore>();
        services.AddSingleton<INotificationStore, NotificationStore>();
        services.AddSingleton<InsightQueries>();
        services.AddSingleton<DoraReports>();
        services.AddSingleton(_ => new NotificationSender(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }));
        services.AddSingleton(_ => new CommitStatusReporter(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }));
        services.AddSingleton(sp => new HostDeploymentReporter(new HttpClient { Timeout = TimeSpan.FromSeconds(10) },
            sp.GetRequiredService<INotificationStore>(), sp.GetRequiredService<IReleaseStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ITokenStore, TokenStore>();
        services.AddSingleton<IApprovalStore, ApprovalStore>();
        services.AddSingleton<IFreezeStore, FreezeStore>();
        services.AddSingleton<IAuditLog, AuditLog>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<EnvironmentFreezes>();
        services.AddSingleton<FreezeWatch>();
        services.AddSingleton<FlagStreamTickets>();
        services.AddSingleton<DeploymentApprovals>();
        services.AddSingleton<ReleasePromotions>();
        services.AddSingleton(new GitSourceRepository(config.Server.DataDir));
        services.AddSingleton<ISourceRepository>(sp => sp.GetRequiredService<GitSourceRepository>());
        services.AddSingleton(new RegistryClient(config.Registries));
        services.AddSingleton<IImageRegistry, ImageRegistry>();
        services.AddSingleton<ReleaseRegistrations>();
        services.AddSingleton(sp => new ImageUnpacker(config.Server.DataDir, sp.GetRequiredService<RegistryClient>()));
        services.AddSingleton(sp => new CommandBuilder(config.Server.DataDir, sp.GetRequiredService<GitSourceRepository>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IJobQueue>()));
        services.AddSingleton(sp => new ImageBuilder(config, config.Server.DataDir, sp.GetRequiredService<GitSourceRepository>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IJobQueue>()));
        services.AddSingleton<IBuilder, Builders>();
        services.AddSingleton(sp => new LocalTarget(config.Server.DataDir, sp.GetRequiredService<ILocalPortStore>(), sp.GetRequiredService<ImageUnpacker>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LocalTarget>>(), sp.GetRequiredService<IJobQueue>()));
        services.AddSingleton<IDeploymentTarget>(sp => sp.GetRequiredService<LocalTarget>());
        services.AddSingleton<IManifestStore, ManifestStore>();
        services.AddSingleton<IDriftStore, DriftStore>();
        services.AddSingleton<DriftSignals>();
        services.AddSingleton<DriftChecks>();
        services.AddSingleton<IFlagStore, FlagStore>();
        services.AddSingleton<FlagCatalog>();
        services.AddSingleton<ReleaseFlags>();
        services.AddSingleton<IFlagRequestStore, FlagRequestStore>();
        services.AddSingleton<FlagApprovals>();
        services.AddSingleton<IExperimentStore, ExperimentStore>();
        services.AddSingleton<ExposureRecorder>();
        services.AddSingleton<ClusterClients>();
        services.AddSingleton(sp => new KubernetesTarget(config.Server.DataDir, sp.GetRequiredService<GitSourceRepository>(), sp.GetRequiredService<ClusterClients>(),
            sp.GetRequiredService<IManifestStore>(), sp.GetRequiredService<IJobQueue>(), sp.GetRequiredService<DriftSignals>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<KubernetesTarget>>()));
        services.AddSingleton<IDeploymentTarget>(sp => sp.GetRequiredService<KubernetesTarget>());
        services.AddSingleton<SourceWatcher>();
        services.AddSingleton<DeploymentRequests>();
        services.AddSingleton<BuildRunner>();
        services.AddSingleton<DeploymentRunner>();
        services.AddSingleton<TargetAdoption>();
        services.AddSingleton<DeliveryProcessor>();
        services.AddSingleton<RefusedWebhooks>();
        services.AddHostedService<TargetLeaseWorker>();
        services.AddHostedService<JobWorker>();
        services.AddHostedService<ReplicaWakeWorker>();
        services.AddHostedService<SourceWorker>();
        services.AddHostedService<DriftWorker>();
        services.AddHostedService<NotificationWorker>();
        services.AddHostedService<FreezeWorker>();
        services.AddHostedService<ExposureWorker>();
        services.AddSingleton<ChangeFingerprint>();
        services.AddSingleton<ISessionStore, SessionStore>();
        services.AddSingleton<SessionWatch>();
        services.AddRazorComponents();
        // The anti-forgery cookie is Secure as the request is: over https directly, through a trusted proxy, or for the
        // public https address (PublicAddress); a plain http request to another address still gets a form that works.
        services.AddAntiforgery();
        // The UI's session cookies and anti-forgery tokens are protected with keys kept beside the server's data.
        var keys = Directory.CreateDirectory(Path.Combine(config.Server.DataDir, "keys"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        services.AddDataProtection().SetApplicationName("onward").PersistKeysToFileSystem(keys);

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
        app.UseMiddleware<AuthenticationMiddleware>();
        app.UseMiddleware<CrossSiteRefusal>();
        app.UseMiddleware<UiSession>();
        app.UseAntiforgery();
        app.Use(CrossSiteRefusal.RefuseForgedFormsAsync);
        app.MapHealth();
        app.MapWebhookReceivers();
        app.MapOfrep();
        app.MapMetrics();
        app.MapUi();
        var api = app.MapGroup("/api/v1");
        api.WithMetadata(new RequestSizeLimitAttribute(FieldLimits.ApiBody));
        api.MapServices();
        api.MapEnvironments();
        api.MapReleases();
        api.MapDeployments();
        api.MapWebhooks();
        api.MapNotifications();
        api.MapDora();
        api.MapApprovals();
        api.MapTokens();
        api.MapAudit();
        api.MapFlags();
        return app;
    }
}
