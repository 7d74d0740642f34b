namespace Onward.Server.Api.Health;

public static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/healthz", () => TypedResults.Text("ok\n"));
}
