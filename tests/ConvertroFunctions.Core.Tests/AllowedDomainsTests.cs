using System.Net;
using ConvertroFunctions.Core.Convertro;

namespace ConvertroFunctions.Core.Tests;

/// <summary>Where calls may go: the allowed domain suffixes, and which addresses count as internal.</summary>
public sealed class AllowedDomainsTests
{
    /// <summary>The default setting: Convertro's own domains only.</summary>
    public static readonly AllowedDomains ConvertroOnly = AllowedDomains.Parse(AllowedDomains.Default, out _);

    [Theory]
    [InlineData("acme.sp1.convertro.com")]
    [InlineData("ACME.Convertro.COM")]
    [InlineData("convertro.com")]
    [InlineData("acme.convertro.com.")]
    public void Problem_ConvertroHost_None(string domain) => Assert.Null(ConvertroOnly.Problem(domain));

    [Theory]
    [InlineData("evilconvertro.com")]
    [InlineData("convertro.com.evil.example")]
    [InlineData("localhost")]
    [InlineData("d.com")]
    public void Problem_OtherHost_NamesTheSuffixAndTheSetting(string domain)
    {
        var problem = ConvertroOnly.Problem(domain);

        Assert.NotNull(problem);
        Assert.Contains("ending with .convertro.com", problem);
        Assert.Contains(AllowedDomains.Setting, problem);
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("10.0.0.1")]
    [InlineData("[::1]")]
    public void Problem_IpAddress_RefusedAsSuch(string domain) =>
        Assert.StartsWith("Must be a host name, not an IP address", ConvertroOnly.Problem(domain));

    [Fact]
    public void Parse_FirstPartyDomainAdded_BothAllowedAndNothingElse()
    {
        var allowed = AllowedDomains.Parse(" .convertro.com , track.acme-shop.com, *.cdn.acme-shop.com", out var problems);

        Assert.Empty(problems);
        Assert.Equal([".convertro.com", ".track.acme-shop.com", ".cdn.acme-shop.com"], allowed.Suffixes);
        Assert.Null(allowed.Problem("track.acme-shop.com"));
        Assert.Null(allowed.Problem("eu.track.acme-shop.com"));
        Assert.NotNull(allowed.Problem("acme-shop.com"));
    }

    [Theory]
    [InlineData("10.0.0.1", "'10.0.0.1' is not a domain")]
    [InlineData(".convertro.com,localhost", "'localhost' is not a domain")]
    [InlineData("", "at least one domain")]
    [InlineData(" , ", "at least one domain")]
    public void Parse_BadSetting_SaysWhatIsWrong(string setting, string expected)
    {
        AllowedDomains.Parse(setting, out var problems);

        Assert.Contains(expected, Assert.Single(problems));
    }

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.8.9.10", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("10.20.30.40", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "private")]
    [InlineData("fd00::7", "private")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("255.255.255.255", "multicast")]
    [InlineData("ff02::1", "multicast")]
    public void Internal_InternalAddress_NamesItsKind(string address, string kind) =>
        Assert.Equal(kind, ConvertroConnections.Internal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.4.4")]
    public void Internal_PublicAddress_Null(string address) =>
        Assert.Null(ConvertroConnections.Internal(IPAddress.Parse(address)));
}
