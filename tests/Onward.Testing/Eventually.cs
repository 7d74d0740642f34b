namespace Onward.Testing;

/// <summary>Waits for an observable outcome with a generous limit; never a timing assertion, only a bound on hanging.</summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? limit = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(90));
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await probe() is { } value)
                {
                    return value;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                last = e;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"gave up waiting for {what}" + (last is null ? "" : $" (last error: {last.Message})"));
    }

    public static Task WaitAsync(Func<Task<bool>> probe, string what, TimeSpan? limit = null) =>
        WaitAsync<object>(async () => await probe() ? new object() : null, what, limit);
}
