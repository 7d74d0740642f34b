namespace Onward.Storage.Database;

/// <summary>
/// The database cannot be used: unreachable after waiting, refused the credentials, or holds a schema from a newer
/// Onward. The message says which and what to do; it never holds a password.
/// </summary>
public sealed class DatabaseStartException(string message, Exception? inner = null) : Exception(message, inner);
