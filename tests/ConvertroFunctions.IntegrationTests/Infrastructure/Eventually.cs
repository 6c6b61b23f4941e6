namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>Waits for something asynchronous (queue processing) to become true, or fails with a message.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(45);

    public static async Task TrueAsync(Func<bool> condition, TimeSpan? timeout = null, Func<string>? message = null)
    {
        await TrueAsync(() => Task.FromResult(condition()), timeout, message);
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, Func<string>? message = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds} s: {message?.Invoke() ?? "condition never became true"}");
            }
            await Task.Delay(100);
        }
    }
}
