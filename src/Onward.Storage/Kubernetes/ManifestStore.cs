using System.IO.Compression;
using System.Text;
using Dapper;
using Onward.Core.Kubernetes;
using Onward.Storage.Database;

namespace Onward.Storage.Kubernetes;

/// <summary>Rendered manifests per deployment, gzipped: a Helm chart with its CRDs renders to megabytes of repetitive YAML.</summary>
public sealed class ManifestStore(OnwardDatabase database) : IManifestStore
{
    public async Task<bool> SaveAsync(long deploymentId, string rendered, string maskedWith, CancellationToken cancellationToken)
    {
        var content = Compress(rendered);
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var saved = await write.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO deployment_manifests (deployment_id, content, masked_with)
            SELECT @deploymentId, @content, @maskedWith WHERE EXISTS (SELECT 1 FROM deployments WHERE id = @deploymentId)
            ON CONFLICT (deployment_id) DO UPDATE SET content = excluded.content, masked_with = excluded.masked_with
            """,
            new { deploymentId, content, maskedWith }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
        return saved > 0;
    }

    public async Task<string?> GetAsync(long deploymentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var content = await connection.ExecuteScalarAsync<byte[]?>(new CommandDefinition(
            "SELECT content FROM deployment_manifests WHERE deployment_id = @deploymentId", new { deploymentId }, cancellationToken: cancellationToken));
        return content is null ? null : Decompress(content);
    }

    public async Task<IReadOnlyList<(long DeploymentId, string Service, string? MaskedWith)>> ListAsync(long after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long, string, string?)>(new CommandDefinition(
            """
            SELECT m.deployment_id, d.service, m.masked_with FROM deployment_manifests m JOIN deployments d ON d.id = m.deployment_id
            WHERE m.deployment_id > @after ORDER BY m.deployment_id LIMIT @limit
            """, new { after, limit }, cancellationToken: cancellationToken));
        return [.. rows];
    }

    public async Task MaskTextAsync(long deploymentId, SecretText secrets, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var deployment = await write.Connection.QuerySingleOrDefaultAsync<(string?, string?)>(new CommandDefinition(
            "SELECT reason, diagnosis FROM deployments WHERE id = @deploymentId", new { deploymentId }, write.Transaction, cancellationToken: cancellationToken));
        var (reason, diagnosis) = deployment;
        if (secrets.MaskOrNull(reason) != reason || secrets.MaskOrNull(diagnosis) != diagnosis)
        {
            await write.Connection.ExecuteAsync(new CommandDefinition(
                "UPDATE deployments SET reason = @reason, diagnosis = @diagnosis WHERE id = @deploymentId",
                new { deploymentId, reason = secrets.MaskOrNull(reason), diagnosis = secrets.MaskOrNull(diagnosis) }, write.Transaction, cancellationToken: cancellationToken));
        }
        var events = await write.Connection.QueryAsync<(long, string)>(new CommandDefinition(
            "SELECT id, message FROM deployment_events WHERE deployment_id = @deploymentId", new { deploymentId }, write.Transaction, cancellationToken: cancellationToken));
        foreach (var (id, message) in events)
        {
            if (secrets.Mask(message) is var masked && masked != message)
            {
                await write.Connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE deployment_events SET message = @masked WHERE id = @id", new { id, masked }, write.Transaction, cancellationToken: cancellationToken));
            }
        }
        await write.CommitAsync(cancellationToken);
    }

    private static byte[] Compress(string text)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            zip.Write(Encoding.UTF8.GetBytes(text));
        }
        return buffer.ToArray();
    }

    private static string Decompress(byte[] content)
    {
        using var zip = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
        using var reader = new StreamReader(zip, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
