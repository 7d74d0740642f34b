using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Onward.Storage.Access;
using Onward.Core.Configuration;
using Onward.Core.Insight;
using Onward.Server.Api.Insight;
using Onward.Server.Insight;
using Onward.Server.Ofrep;
using Onward.Server.Problems;
using Onward.Server.Ui;
using Onward.Server.Views;
using Onward.Server.Webhooks;

namespace Onward.Server.Composition;

public static class WebServices
{
    /// <summary>What the HTTP side needs: problems for every error, JSON as the API writes it, the UI's components and keys.</summary>
    public static IServiceCollection AddOnwardWeb(this IServiceCollection services, OnwardConfig config)
    {
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never);
        // Registered first, so that it writes every problem (the default writer declines callers that do not accept JSON).
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDefaults.Customize);
        // Core's measurements, served at /metrics.
        services.AddSingleton<IOnwardMetrics, PrometheusMetrics>();
        // The read models: one answer per page and API resource.
        services.AddSingleton<ServiceViews>();
        services.AddSingleton<DeploymentViews>();
        services.AddSingleton<DeliveryViews>();
        services.AddSingleton<DoraReports>();
        services.AddSingleton<RefusedWebhooks>();
        services.AddSingleton<SessionWatch>();
        services.AddSingleton<ChangeStreams>();
        services.AddRazorComponents();
        // The anti-forgery cookie is Secure as the request is: over https directly, through a trusted proxy, or for the
        // public https address (PublicAddress); a plain http request to another address still gets a form that works.
        services.AddAntiforgery();
        // The UI's anti-forgery tokens and the sign-in's correlation cookies are protected with keys kept in the database,
        // so that every replica has the same ones.
        services.AddDataProtection().SetApplicationName("onward");
        services.AddOptions<KeyManagementOptions>().Configure<ProtectionKeyStore, TimeProvider>((options, keys, time) => options.XmlRepository = new DatabaseKeyRepository(keys, time));
        return services;
    }
}
