using ConvertroFunctions.Fakes;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

public static class FakeConvertroExtensions
{
    /// <summary>Waits until the fake has received <paramref name="count"/> requests for a client name.</summary>
    public static async Task<IReadOnlyList<RecordedRequest>> WaitForAsync(
        this FakeConvertro fake, string clientName, int count, TimeSpan? timeout = null)
    {
        await Eventually.TrueAsync(() => fake.RequestsFor(clientName).Count >= count, timeout,
            () => $"expected {count} request(s) for client '{clientName}', got {fake.RequestsFor(clientName).Count}");
        return fake.RequestsFor(clientName);
    }

    /// <summary>Whether a recorded call belongs to the event <paramref name="messageId"/> (see <see cref="Segment.UserOf"/>).</summary>
    public static bool Belongs(this RecordedRequest request, string messageId) =>
        request.Kind == "user" ? request.UserId == Segment.UserOf(messageId) : request.EventId == messageId;
}
