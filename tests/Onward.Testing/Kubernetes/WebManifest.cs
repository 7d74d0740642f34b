namespace Onward.Testing.Kubernetes;

/// <summary>The Deployment <c>web</c> (two replicas of one <c>app</c> container) that Kubernetes tests and the benchmark deploy.</summary>
public static class WebManifest
{
    /// <param name="image">The app container's image, e.g. <c>127.0.0.1:5000/acme/web:latest</c>.</param>
    /// <param name="env">The app container's environment as a YAML flow list, e.g. <c>[ { name: ONWARD_TEST_START_MS, value: "300" } ]</c>.</param>
    /// <param name="sidecarImage">When set, a second container <c>sidecar</c> with this image.</param>
    public static string Deployment(string image, string env = "[]", string? sidecarImage = null) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          replicas: 2
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              containers:
                - { name: app, image: "{{image}}", env: {{env}} }

        """ + (sidecarImage is null ? "" : $"        - {{ name: sidecar, image: \"{sidecarImage}\" }}\n");
}
