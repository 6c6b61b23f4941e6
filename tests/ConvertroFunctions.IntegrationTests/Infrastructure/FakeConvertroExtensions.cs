using ConvertroFunctions.Fakes;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

public static class FakeConvertroExtensions
{
    /// <summary>Waits until the fake has received <paramref name="count"/> requests for an account.</summary>
    public static async Task<IReadOnlyList<RecordedRequest>> WaitForAsync(
        this FakeConvertro fake, string account, int count, TimeSpan? timeout = null)
    {
        await Eventually.TrueAsync(() => fake.RequestsFor(account).Count >= count, timeout,
            () => $"expected {count} request(s) for account '{account}', got {fake.RequestsFor(account).Count}");
        return fake.RequestsFor(account);
    }
}
