using Onward.Contracts.Server;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Server.Auth;
using Onward.Server.Configuration;

namespace Onward.Server.Api.Server;

public static class ServerEndpoints
{
    public static void MapServerStatus(this IEndpointRouteBuilder api) =>
        api.MapGet("/server", (ConfigStatus status, OnwardConfig config) => TypedResults.Ok(Of(status, config))).RequireRole(Permissions.Read);

    public static ServerResponse Of(ConfigStatus status, OnwardConfig config) =>
        new(ConfigStatus.Version, status.File, status.LoadedAt, status.ReloadError, status.NeedsRestart, config.Services.Count, config.Environments.Count);
}
