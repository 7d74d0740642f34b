namespace Onward.Server.Auth;

/// <summary>Who is calling the API: the name that goes into event logs, and what they may do.</summary>
public sealed record Caller(string Name, Role Role)
{
    private const string Key = "onward.caller";

    public static Caller Of(HttpContext context) =>
        context.Items.TryGetValue(Key, out var caller) && caller is Caller c ? c : throw new InvalidOperationException("the request was not authenticated");

    public void AttachTo(HttpContext context) => context.Items[Key] = this;
}
