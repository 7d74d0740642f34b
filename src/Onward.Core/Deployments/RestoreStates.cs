namespace Onward.Core.Deployments;

public static class RestoreStates
{
    public static bool InProgress(this RestoreState? state) => state is RestoreState.Pending or RestoreState.Verifying;

    /// <summary>The name the API and the database use: <c>pending</c>, <c>verifying</c>, <c>done</c>, <c>failed</c>.</summary>
    public static string Name(this RestoreState state) => state.ToString().ToLowerInvariant();
}
