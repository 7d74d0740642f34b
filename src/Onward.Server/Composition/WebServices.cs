using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
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
        // The UI's anti-forgery tokens are protected with keys kept beside the server's data.
        var keys = Directory.CreateDirectory(Path.Combine(config.Server.DataDir, "keys"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        services.AddDataProtection().SetApplicationName("onward").PersistKeysToFileSystem(keys);
        return services;
    }
}
