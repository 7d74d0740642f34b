using System.IO.Compression;
using System.Text;
using Dapper;
using Onward.Core.Kubernetes;
using Onward.Storage.Database;

namespace Onward.Storage.Kubernetes;

/// <summary>Rendered manifests per deployment, gzipped: a Helm chart with its CRDs renders to megabytes of repetitive YAML.</summary>
public sealed class ManifestStore(OnwardDatabase database) : IManifestStore
{
    public async Task SaveAsync(long deploymentId, string rendered, CancellationToken cancellationToken)
    {
        var content = Compress(rendered);
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO deployment_manifests (deployment_id, content, masked) VALUES (@deploymentId, @content, 1) ON CONFLICT (deployment_id) DO UPDATE SET content = excluded.content, masked = 1",
            new { deploymentId, content }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
    }

    public async Task<string?> GetAsync(long deploymentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var content = await connection.ExecuteScalarAsync<byte[]?>(new CommandDefinition(
            "SELECT content FROM deployment_manifests WHERE deployment_id = @deploymentId", new { deploymentId }, cancellationToken: cancellationToken));
        return content is null ? null : Decompress(content);
    }

    public async Task<IReadOnlyList<(long DeploymentId, string Service)>> UnmaskedAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long, string)>(new CommandDefinition(
            """
            SELECT m.deployment_id, d.service FROM deployment_manifests m JOIN deployments d ON d.id = m.deployment_id
            WHERE m.masked = 0 ORDER BY m.deployment_id LIMIT @limit
            """, new { limit }, cancellationToken: cancellationToken));
        return [.. rows];
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
