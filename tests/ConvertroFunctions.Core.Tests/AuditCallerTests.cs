using ConvertroFunctions.Core.Audit;
using Microsoft.AspNetCore.Http;

namespace ConvertroFunctions.Core.Tests;

/// <summary>Which key an audit record names in the Functions app: a fingerprint of the key the request carried, never the key.</summary>
public sealed class AuditCallerTests
{
    // printf %s 'abc-key-123' | sha256sum | cut -c1-8
    private const string Key = "abc-key-123", Fingerprint = "sha256:3c21dafc";

    [Fact]
    public void Of_KeyInTheHeader_ItsFingerprint()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[AuditCaller.FunctionsKeyHeader] = Key;

        Assert.Equal(Fingerprint, new AuditCaller().Of(context.Request));
    }

    [Fact]
    public void Of_KeyInCode_ItsFingerprint()
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?code=" + Key);

        Assert.Equal(Fingerprint, new AuditCaller().Of(context.Request));
    }

    [Fact]
    public void Of_NoKey_None() => Assert.Equal(AuditCaller.NoKey, new AuditCaller().Of(new DefaultHttpContext().Request));
}
