using System.Globalization;
using Onward.Core.Audit;

namespace Onward.Testing.Fakes;

/// <summary>The audit trail over the fakes, as the store reads it: every deployment's events and the other entries, newest first, paged by cursor.</summary>
public sealed class FakeAuditLog(FakeDatabase database, FakeDeploymentStore deployments) : IAuditLog
{
    public Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        List<(long At, long Source, long Seq, AuditEntry Entry)> entries;
        lock (database.Gate)
        {
            entries = deployments.Trail()
                .Where(t => (query.Service is null || t.Deployment.Service == query.Service) && (query.Environment is null || t.Deployment.Environment == query.Environment)
                    && (query.Actor is null || t.Event.Actor == query.Actor))
                .Select(t => (t.Event.At.ToUnixTimeMilliseconds(), 0L, t.Seq, new AuditEntry(t.Event.At, t.Event.Actor,
                    "deployment." + char.ToLowerInvariant(t.Event.State.ToString()[0]) + t.Event.State.ToString()[1..],
                    t.Deployment.Service, t.Deployment.Environment, t.Deployment.Id, t.Event.Message)))
                .Concat(database.Audit
                    .Where(a => query.Service is null && (query.Environment is null || a.Environment == query.Environment) && (query.Actor is null || a.Actor == query.Actor))
                    .Select(a => (a.At.ToUnixTimeMilliseconds(), 1L, a.Seq, new AuditEntry(a.At, a.Actor, a.Action, null, a.Environment, null, a.Message))))
                .ToList();
        }
        var after = query.Before?.Split('.').Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return Task.FromResult<IReadOnlyList<AuditEntry>>(entries
            .Where(e => after is null || e.At < after[0] || (e.At == after[0] && (e.Source < after[1] || (e.Source == after[1] && e.Seq < after[2]))))
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Source).ThenByDescending(e => e.Seq).Take(query.Limit)
            .Select(e => e.Entry with { Cursor = $"{e.At}.{e.Source}.{e.Seq}" }).ToList());
    }
}
