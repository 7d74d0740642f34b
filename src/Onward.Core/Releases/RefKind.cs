namespace Onward.Core.Releases;

public enum RefKind
{
    Branch,
    Tag,
}
