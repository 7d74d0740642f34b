namespace Onward.Core.Configuration;

/// <summary>The server's certificate (with its chain) and private key, as PEM files; read again when they change.</summary>
public sealed record TlsOptions(string Certificate, string Key);
