namespace Onward.Core.Configuration;

/// <summary>How to reach one registry host: plain HTTP only when marked insecure; credentials from here or a docker config file.</summary>
public sealed record RegistryConfig(string Host, bool Insecure, string? Username, string? Password, string? DockerConfig);
