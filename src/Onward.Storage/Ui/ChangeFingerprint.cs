using Dapper;
using Onward.Storage.Database;

namespace Onward.Storage.Ui;

/// <summary>
/// One cheap read that changes whenever anything the web UI shows changes (deployment events, releases and their
/// builds, flag changes, freezes, approvals, the warnings of repositories), so that open pages are told to refresh.
/// </summary>
public sealed class ChangeFingerprint(OnwardDatabase database)
{
    public async Task<string> ReadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string>(new CommandDefinition("""
            SELECT (SELECT COALESCE(MAX(id), 0) FROM deployment_events) || ':' || (SELECT COALESCE(MAX(id), 0) FROM releases) || ':'
                || (SELECT COUNT(*) FROM releases WHERE build_finished_at IS NOT NULL) || ':' || (SELECT COALESCE(MAX(id), 0) FROM flag_changes) || ':'
                || (SELECT COUNT(*) FROM environment_freezes) || ':' || (SELECT COUNT(*) FROM environment_freezes WHERE lifted_at IS NOT NULL) || ':'
                || (SELECT COUNT(*) FROM approvals) || ':' || (SELECT COUNT(*) FROM source_warnings) || ':'
                || (SELECT COALESCE(MAX(changed_at), 0) FROM source_warnings)
            """, cancellationToken: cancellationToken)) ?? "";
    }
}
