namespace Onward.Storage.Database;

public sealed record Migration(int Version, string Name, string Sql);
