using ConvertroFunctions.LocalHost;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>The one reading of a listening URL: where it is reached, what it binds, who can reach it.</summary>
public sealed class ListenUrlTests
{
    [Theory]
    [InlineData("http://*:7071", "http://127.0.0.1:7071/", "0.0.0.0", true)]
    [InlineData("http://+:7071", "http://127.0.0.1:7071/", "0.0.0.0", true)]
    [InlineData("http://0.0.0.0:7071", "http://127.0.0.1:7071/", "0.0.0.0", true)]
    [InlineData("http://[::]:7071", "http://127.0.0.1:7071/", "::", true)]
    [InlineData("http://localhost:7071", "http://127.0.0.1:7071/", "127.0.0.1", false)]
    [InlineData("http://127.0.0.1:0", "http://127.0.0.1:0/", "127.0.0.1", false)]
    [InlineData("http://[::1]:7071", "http://[::1]:7071/", "::1", false)]
    [InlineData("http://192.0.2.10:7071", "http://192.0.2.10:7071/", "192.0.2.10", false)]
    [InlineData("http://myhost:7071", "http://myhost:7071/", null, false)]
    public void TryParse_AWildcardIsReachedAtLoopbackAndBindsEveryAddress(string url, string reach, string? bound, bool everyAddress)
    {
        Assert.True(ListenUrl.TryParse(url, out var listen));

        Assert.Equal(reach, listen.Reach.AbsoluteUri);
        Assert.Equal(bound, listen.Bound?.ToString());
        Assert.Equal(everyAddress, listen.EveryAddress);
    }

    [Theory]
    [InlineData("http://localhost:7071", true)]
    [InlineData("http://127.0.0.1:7071", true)]
    [InlineData("http://127.5.6.7:7071", true)]
    [InlineData("http://[::1]:7071", true)]
    [InlineData("http://*:7071", false)]
    [InlineData("http://0.0.0.0:7071", false)]
    [InlineData("http://[::]:7071", false)]
    [InlineData("http://192.0.2.10:7071", false)]
    [InlineData("http://myhost:7071", false)]
    public void IsLoopbackOnly_AWildcardIsNot(string url, bool loopbackOnly)
    {
        Assert.True(ListenUrl.TryParse(url, out var listen));
        Assert.Equal(loopbackOnly, listen.IsLoopbackOnly);
    }

    [Fact]
    public void TryParse_NotAUrl_False() => Assert.False(ListenUrl.TryParse("not a url", out _));
}
