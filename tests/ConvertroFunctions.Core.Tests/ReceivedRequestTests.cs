using System.Text;
using ConvertroFunctions.Core.Convertro;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ConvertroFunctions.Core.Tests;

/// <summary>The one recorder of Convertro requests (LocalHost's sandbox and the tests' fake Convertro).</summary>
public sealed class ReceivedRequestTests
{
    private static DefaultHttpContext Request(string method, string target, string? body = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget = target;
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
        }
        return context;
    }

    [Fact]
    public void QueryOf_DecodesEachValue_TheTargetItselfIsKeptAsSent()
    {
        var query = ReceivedRequest.QueryOf("/hit/Acme/1234/?sid=s%201&typ=sale&eid=a%2Bb&x=&id=%C3%A9");

        Assert.Equal(new Dictionary<string, string> { ["sid"] = "s 1", ["typ"] = "sale", ["eid"] = "a+b", ["x"] = "", ["id"] = "é" }, query);
        Assert.Empty(ReceivedRequest.QueryOf("/user/Acme/1234/"));
    }

    [Fact]
    public async Task ReadAsync_AGetWithoutBody_TargetQueryAndNoBody()
    {
        var at = DateTimeOffset.Parse("2026-03-01T10:00:00Z");

        var received = await ReceivedRequest.ReadAsync(Request("GET", "/user/Acme/1234/?id=u%201"), at);

        Assert.Equal(new ReceivedRequest(at, "GET", "/user/Acme/1234/?id=u%201", received.Query, null), received);
        Assert.Equal("u 1", received.Query["id"]);
    }

    [Fact]
    public async Task ReadAsync_CappedBody_KeepsTheStartAndSaysTheRestWasNotKept()
    {
        var whole = await ReceivedRequest.ReadAsync(Request("POST", "/gdpr/v1/requests", "{\"a\":\"0123456789\"}"), default);
        var capped = await ReceivedRequest.ReadAsync(Request("POST", "/gdpr/v1/requests", "{\"a\":\"0123456789\"}"), default, maxBodyChars: 8);

        Assert.Equal("{\"a\":\"0123456789\"}", whole.Body);
        Assert.Equal("{\"a\":\"01… (the rest not recorded: 8 characters are kept)", capped.Body);
    }
}
