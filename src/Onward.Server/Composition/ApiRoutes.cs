using Onward.Server.Api.Previews;
using Microsoft.AspNetCore.Mvc;
using Onward.Contracts.Problems;
using Onward.Server.Api.Approvals;
using Onward.Server.Api.Audit;
using Onward.Server.Api.Deployments;
using Onward.Server.Api.Environments;
using Onward.Server.Api.Flags;
using Onward.Server.Api.Health;
using Onward.Server.Api.Insight;
using Onward.Server.Api.Notifications;
using Onward.Server.Api.Releases;
using Onward.Server.Api.Server;
using Onward.Server.Api.Services;
using Onward.Server.Api.Tokens;
using Onward.Server.Api.Webhooks;
using Onward.Server.Webhooks;

namespace Onward.Server.Composition;

public static class ApiRoutes
{
    /// <summary>The REST API under /api/v1 (each route with the body limit of the API), health, metrics and the webhook receivers.</summary>
    public static WebApplication MapOnwardApi(this WebApplication app)
    {
        app.MapHealth();
        app.MapMetrics();
        app.MapWebhookReceivers();
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
        api.MapPreviews();
        api.MapServerStatus();
        return app;
    }
}
