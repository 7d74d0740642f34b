using Microsoft.AspNetCore.Mvc;

namespace Onward.Server.Ofrep;

/// <summary>
/// The OpenFeature Remote Evaluation Protocol (OFREP 0.3.0) per environment: <c>{server}/flags/{env}</c> is an OFREP
/// base URL answering single (<c>POST …/ofrep/v1/evaluate/flags/{key}</c>) and bulk (<c>POST …/ofrep/v1/evaluate/flags</c>)
/// evaluations, with a change stream (<c>GET …/ofrep/v1/events</c>) and conversions for experiments
/// (<c>POST /flags/{env}/events</c>). Callers are established by the authentication middleware (a bearer token or
/// <c>X-API-Key</c>); <see cref="SdkAccess"/> decides which environment they may evaluate.
/// </summary>
public static class OfrepRoutes
{
    public const int MostBodyBytes = 64 * 1024;
    public const int MostEventBytes = 4 * 1024;

    /// <summary>flagd's header for a selector (<see cref="Core.Flags.FlagSelector"/>).</summary>
    public const string SelectorHeader = "Flagd-Selector";

    /// <summary>
    /// Whether the request's endpoint is one an SDK calls with its key (evaluations and events; not the change stream,
    /// which takes a ticket): known by the endpoint the router chose, so that every spelling the router accepts
    /// (another case, a trailing slash) is authenticated alike.
    /// </summary>
    public static bool TakesSdkKey(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<SdkAccess>() is not null;

    public static void MapOfrep(this IEndpointRouteBuilder app)
    {
        var ofrep = app.MapGroup("/flags/{environment}/ofrep/v1/evaluate");
        ofrep.WithMetadata(new RequestSizeLimitAttribute(MostBodyBytes));
        ofrep.MapPost("/flags/{key}", OfrepEvaluations.EvaluateAsync).TakingSdkKeys();
        ofrep.MapPost("/flags", OfrepEvaluations.EvaluateAllAsync).TakingSdkKeys();
        app.MapPost("/flags/{environment}/events", ConversionIntake.TrackAsync).TakingSdkKeys()
            .WithMetadata(new RequestSizeLimitAttribute(MostEventBytes));
        app.MapGet("/flags/{environment}/ofrep/v1/events", FlagChangeStream.StreamAsync);
        ofrep.MapMethods("/flags/{key}", ["OPTIONS"], OfrepCors.Preflight);
        ofrep.MapMethods("/flags", ["OPTIONS"], OfrepCors.Preflight);
        // A browser sends a conversion as JSON, so it asks first, as for an evaluation.
        app.MapMethods("/flags/{environment}/events", ["OPTIONS"], OfrepCors.Preflight);
    }

    /// <summary>The endpoint authenticates SDK keys (the middleware looks for its <see cref="SdkAccess"/>) and checks them with it.</summary>
    private static RouteHandlerBuilder TakingSdkKeys(this RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(SdkAccess.Marker).AddEndpointFilter<SdkAccess>();
}
