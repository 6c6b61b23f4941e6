using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.Core.Tests;

/// <summary>How long a message waits for Table storage (docs/architecture.md, "Delivery": a storage outage is a wait).</summary>
public sealed class StorageWaitTests
{
    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(4, 40)]
    [InlineData(5, 60)] // the ceiling: a message looks again at least once a minute
    [InlineData(40, 60)]
    public void StorageWait_NthWait_DoublesUpToAMinute(int waits, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), DeliveryOptions.StorageWait(waits, jitter: 0, retryAfter: null));

    [Fact]
    public void StorageWait_Jitter_AtMostATenthMore() =>
        Assert.Equal(TimeSpan.FromSeconds(5.5), DeliveryOptions.StorageWait(1, jitter: 0.9, retryAfter: null));

    [Fact]
    public void StorageWait_StorageAskedForLonger_Honoured() =>
        Assert.Equal(TimeSpan.FromSeconds(30), DeliveryOptions.StorageWait(1, jitter: 0, retryAfter: TimeSpan.FromSeconds(30)));

    [Fact]
    public void RetryAfter_ServerBusyAfterTheSdksRetries_FoundOnTheLastAnswer()
    {
        var busy = new RequestFailedException(new Answer(503, ("Retry-After", "12")));
        var gaveUp = new AggregateException(new RequestFailedException(new Answer(503)), busy);

        Assert.Equal(TimeSpan.FromSeconds(12), StorageErrors.RetryAfter(gaveUp));
        Assert.True(StorageErrors.IsUnavailable(gaveUp));
        Assert.Null(StorageErrors.RetryAfter(new RequestFailedException(new Answer(500))));
    }

    /// <summary>A storage answer: a status and headers.</summary>
    private sealed class Answer(int status, params (string Name, string Value)[] headers) : Response
    {
        public override int Status => status;

        public override string ReasonPhrase => "";

        public override Stream? ContentStream { get; set; }

        public override string ClientRequestId { get; set; } = "";

        public override void Dispose()
        {
        }

        protected override bool ContainsHeader(string name) => headers.Any(h => h.Name == name);

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => headers.Select(h => new HttpHeader(h.Name, h.Value));

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
        {
            value = headers.FirstOrDefault(h => h.Name == name).Value;
            return value is not null;
        }

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = TryGetHeader(name, out var value) ? [value] : null;
            return values is not null;
        }
    }
}
