using ConvertroFunctions.Core.Convertro;

namespace ConvertroFunctions.Core.Tests;

/// <summary>The wire's building blocks against the contract's own values (docs/mapping.md, "The wire").</summary>
public sealed class ConvertroWireTests
{
    private static ConvertroCall Hit(string eventType = "sale", decimal? value = 10m) =>
        new(ConvertroEndpoint.Events, "Acme Inc", "1234", "dev-1", "ord-1", 1_772_359_200, EventType: eventType, Value: value);

    [Fact]
    public void Sid_DeviceIdDev1_IsTheContractsExample() => Assert.Equal("2BR4BY8S68SD", ConvertroWire.Sid("dev-1"));

    [Theory]
    [InlineData("device-1")]
    [InlineData("3F2504E0-4F89-11D3-9A0C-0305E82C3301")]
    [InlineData("0000000000000000")]
    [InlineData("")]
    public void Sid_AnyDeviceId_IsTwelveCharactersOfTheAlphabet(string deviceId)
    {
        var sid = ConvertroWire.Sid(deviceId);

        Assert.Equal(ConvertroWire.SidLength, sid.Length);
        Assert.All(sid, c => Assert.Contains(c, ConvertroWire.SidAlphabet));
    }

    [Fact]
    public void Djb2_JaneAtExample_IsTheContractsExample() => Assert.Equal(2603151228u, ConvertroWire.Djb2("jane@example.com"));

    [Theory]
    [InlineData("jane@example.com", "hashed-2603151228")]
    [InlineData("@jane", "@jane")]
    [InlineData("user-42", "user-42")]
    [InlineData("a@", "hashed-5863174")]
    public void WireUserId_AtAfterTheFirstCharacter_IsHashed(string userId, string expected) =>
        Assert.Equal(expected, ConvertroWire.WireUserId(userId));

    [Theory]
    [InlineData("50.99", "50.99")]
    [InlineData("12.50", "12.5")]
    [InlineData("1000", "1000")]
    [InlineData("0.00", "0")]
    [InlineData("-0.0", "0")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("123456789012345678.5", "123456789012345678.5")]
    public void FormatValue_Decimal_IsInvariantWithoutExponentOrTrailingZeros(string value, string expected) =>
        Assert.Equal(expected, ConvertroWire.FormatValue(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Build_Installs_UsesTheConfiguredInstallsPath()
    {
        var call = new ConvertroCall(ConvertroEndpoint.Installs, "Acme", "1", "dev-1", "msg-1", 5);

        var request = ConvertroWire.Build(call, new Uri("https://acme.convertro.com"), "mobile/v2/installs");

        Assert.Equal("https://acme.convertro.com/mobile/v2/installs/Acme/1/?sid=2BR4BY8S68SD&did=dev-1&typ=install&val=1&eid=msg-1&ts=5", request.Url);
    }

    [Fact]
    public void Build_BaseUrlWithAPath_KeepsThePathBeforeTheEndpoint()
    {
        var request = ConvertroWire.Build(Hit(), new Uri("http://127.0.0.1:7071/sandbox/convertro/"));

        Assert.StartsWith("http://127.0.0.1:7071/sandbox/convertro/api/hit/Acme%20Inc/1234/?sid=", request.Url);
        Assert.Equal("/sandbox/convertro/api/hit/Acme%20Inc/1234/", request.Path);
    }

    [Fact]
    public void Build_AnyCall_IsAGetWhoseUriKeepsEveryEscape()
    {
        var call = Hit("a/b & c ü") with { ClientName = "Acme/EU", EventId = "x%y" };

        var request = ConvertroWire.Build(call, new Uri("https://acme.convertro.com"));

        Assert.Equal(HttpMethod.Get, request.Method);
        // What HttpClient puts on the request line: escapes must survive System.Uri.
        Assert.Equal(request.Url["https://acme.convertro.com".Length..], request.Uri.PathAndQuery);
        Assert.Contains("/api/hit/Acme%2FEU/1234/", request.Url);
        Assert.Contains("typ=a%2Fb%20%26%20c%20%C3%BC", request.Url);
        Assert.Contains("eid=x%25y", request.Url);
    }

    [Fact]
    public void Parameters_Events_ComeInTheContractsOrder()
    {
        var call = Hit() with { Visit = new VisitContext("1.2.3.4", "UA", "https://p", "https://r") };

        var names = ConvertroWire.Parameters(call).Select(p => p.Key);

        Assert.Equal(["sid", "did", "typ", "val", "eid", "ts", "cip", "cua", "pag", "ref"], names);
    }

    [Fact]
    public void Parameters_Users_HaveIdAndNoEventFields()
    {
        var call = new ConvertroCall(ConvertroEndpoint.Users, "Acme", "1", "dev-1", null, 5, UserId: "u1");

        Assert.Equal(["sid", "did", "id", "ts"], ConvertroWire.Parameters(call).Select(p => p.Key));
    }
}
