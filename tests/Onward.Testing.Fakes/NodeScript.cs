using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Onward.Testing;

/// <summary>Runs one of the node scripts in tests/node with a JSON input on standard input, and reads its JSON answer.</summary>
public static class NodeScript
{
    public static async Task<JsonNode> RunAsync(string script, JsonNode input)
    {
        var info = new ProcessStartInfo("node", [script])
        {
            WorkingDirectory = Paths.NodeClients,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(info)!;
        await node.StandardInput.WriteAsync(input.ToJsonString());
        node.StandardInput.Close();
        var output = node.StandardOutput.ReadToEndAsync();
        var error = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"node {script} exited with {node.ExitCode}: {await error}");
        }
        return JsonNode.Parse(await output)!;
    }
}
