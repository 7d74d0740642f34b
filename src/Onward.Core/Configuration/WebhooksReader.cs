namespace Onward.Core.Configuration;

/// <summary>Reads <c>webhooks</c>: a secret per provider.</summary>
public sealed class WebhooksReader(NodeReader nodes)
{
    /// <summary>The git providers whose webhooks Onward reads.</summary>
    public static readonly string[] Providers = ["github", "gitlab", "gitea", "bitbucket"];

    public Dictionary<string, string> Read(YamlNode? node)
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null || nodes.AsMapping(node, "webhooks") is not { } map)
        {
            return secrets;
        }
        var keys = nodes.Keys(map, "webhooks", Providers);
        foreach (var provider in Providers)
        {
            if (keys.Get(provider) is not { } providerNode || nodes.AsMapping(providerNode, "webhooks." + provider) is not { } providerMap)
            {
                continue;
            }
            var providerKeys = nodes.Keys(providerMap, "webhooks." + provider, "secret");
            var secret = nodes.Text(providerKeys.Get("secret"), $"webhooks.{provider}.secret");
            if (secret is null || secret.Value.Length == 0)
            {
                nodes.Problem(providerMap, "webhooks." + provider, "missing `secret`",
                    $"set the secret you gave {provider} for the webhook, e.g. `secret: ${{{provider.ToUpperInvariant()}_WEBHOOK_SECRET}}`; unsigned webhooks are never accepted");
                continue;
            }
            secrets[provider] = secret.Value;
        }
        return secrets;
    }
}
