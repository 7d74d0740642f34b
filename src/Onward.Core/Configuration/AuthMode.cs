namespace Onward.Core.Configuration;

public enum AuthMode
{
    None,
    Tokens,
}
