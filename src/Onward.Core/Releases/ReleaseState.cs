namespace Onward.Core.Releases;

public enum ReleaseState
{
    Building,
    Built,
    BuildFailed,
}
