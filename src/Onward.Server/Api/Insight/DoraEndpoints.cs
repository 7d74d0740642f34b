using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Insight;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Insight;
using Onward.Server.Auth;
using Onward.Server.Views;

namespace Onward.Server.Api.Insight;

public static class DoraEndpoints
{
    public const int MostDays = 365;

    public static void MapDora(this IEndpointRouteBuilder api) => api.MapGet("/dora", MeasureAsync).RequireRole(Permissions.Read);

    private static async Task<Results<Ok<DoraResponse>, ProblemHttpResult>> MeasureAsync(
        DoraReports reports, OnwardConfig config, string? environment, int? days, string? service, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(environment) || config.FindEnvironment(environment) is null)
        {
            return FieldChecks.BadRequest($"{(string.IsNullOrEmpty(environment) ? "name the environment" : $"there is no environment '{FieldChecks.Shown(environment)}'")}: ?environment= one of {string.Join(", ", config.Environments.Select(e => e.Name))}");
        }
        if (!string.IsNullOrEmpty(service) && config.FindService(service) is null)
        {
            return FieldChecks.BadRequest($"there is no service '{FieldChecks.Shown(service)}'; use one of {string.Join(", ", config.Services.Select(s => s.Name))}, or leave service out for all");
        }
        if (days is < 1 or > MostDays)
        {
            return FieldChecks.BadRequest($"days must be from 1 to {MostDays}");
        }
        var window = days ?? 30;
        var report = await reports.MeasureAsync(environment, string.IsNullOrEmpty(service) ? null : service, window, cancellationToken);
        return TypedResults.Ok(new DoraResponse(environment, window, report.From, report.To, ToResponse(report.Overall), report.Services.Select(ToResponse).ToList(),
            report.Weeks.Select(w => new DoraWeekResponse(w.From, ToResponse(w.Measures))).ToList()));
    }

    private static DoraMeasuresResponse ToResponse(DoraMeasures m) => new(
        m.Service, m.Deployments, Math.Round(m.PerDay, 3), Band(m.FrequencyBand)!, ToResponse(m.LeadTime), m.FailedChanges, m.Changes,
        m.ChangeFailureRate is { } rate ? Math.Round(rate, 4) : null, Band(m.ChangeFailureBand), ToResponse(m.TimeToRestore));

    private static DoraDurationResponse ToResponse(DoraDuration d) =>
        new(d.Median?.TotalSeconds, d.P90?.TotalSeconds, d.Samples, Band(d.Band));

    private static string? Band(DoraBand? band) => band?.ToString().ToLowerInvariant();
}
