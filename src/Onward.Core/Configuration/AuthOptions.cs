namespace Onward.Core.Configuration;

public sealed record AuthOptions(AuthMode Mode);
