using Onward.Core.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Services;
using Onward.Core.Configuration;
using Onward.Server.Auth;
using Onward.Server.Views;

namespace Onward.Server.Api.Services;

public static class ServicesEndpoints
{
    public static void MapServices(this IEndpointRouteBuilder api)
    {
        var services = api.MapGroup("/services").RequireRole(Permissions.Read);
        services.MapGet("", ListAsync);
        services.MapGet("/{name}", GetAsync);
    }

    private static async Task<Ok<ServiceResponse[]>> ListAsync(ServiceViews views, CancellationToken cancellationToken) =>
        TypedResults.Ok(await views.AllAsync(cancellationToken));

    private static async Task<Results<Ok<ServiceResponse>, ProblemHttpResult>> GetAsync(
        OnwardConfig config, ServiceViews views, string name, CancellationToken cancellationToken) =>
        await views.FindAsync(name, cancellationToken) is { } service
            ? TypedResults.Ok(service)
            : TypedResults.Problem(statusCode: 404, title: "Not Found",
                detail: $"unknown service '{name}'; known services: {string.Join(", ", config.Services.Select(s => s.Name))}");
}
