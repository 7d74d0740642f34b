using Onward.Contracts.Server;
using Onward.Core;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Server.Auth;
using Onward.Server.Configuration;

namespace Onward.Server.Api.Server;

public static class ServerEndpoints
{
    public static void MapServerStatus(this IEndpointRouteBuilder api) =>
        api.MapGet("/server", (ConfigStatus status, OnwardConfig config, HttpContext http) => TypedResults.Ok(Of(status, config, CallerIdentity.Find(http))))
            .RequireRole(Permissions.Read);

    /// <summary>
    /// What the server runs. Where its file is and why an edit was refused go to admins only: a problem may quote a
    /// value of the file (expanded from the environment); others learn that there are problems and how many.
    /// </summary>
    public static ServerResponse Of(ConfigStatus status, OnwardConfig config, Identity? who)
    {
        var admin = who.May(Permissions.ReadServerConfiguration);
        var error = status.ReloadError is { } problems && !admin ? [ConfigStatus.Withheld(problems.Count)] : status.ReloadError;
        return new(OnwardVersion.Current, admin ? status.File : null, status.LoadedAt, error, status.NeedsRestart, config.Services.Count, config.Environments.Count);
    }
}
