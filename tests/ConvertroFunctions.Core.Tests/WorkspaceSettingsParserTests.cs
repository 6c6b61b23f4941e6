using System.Text.Json;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.Workspaces;

namespace ConvertroFunctions.Core.Tests;

public sealed class WorkspaceSettingsParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private const string Valid = """{"account":"acme","clientName":"Acme","siteId":"12","domain":"Acme.Convertro.com"}""";

    private static WorkspaceSettingsParseResult Parse(string json, WorkspaceSettings? existing = null)
    {
        using var document = JsonDocument.Parse(json);
        return WorkspaceSettingsParser.Parse("ws-1", document.RootElement, existing, Now, AllowedDomainsTests.ConvertroOnly);
    }

    private static WorkspaceSettings Stored(string? secret) =>
        Parse(Valid).Settings! is var s && secret is null ? s : new WorkspaceSettings
        {
            WorkspaceId = s.WorkspaceId, Account = s.Account, ClientName = s.ClientName, SiteId = s.SiteId,
            Domain = s.Domain, SharedSecret = secret,
        };

    [Fact]
    public void Parse_MissingAccount_ExactSegmentMessage()
    {
        var result = Parse("""{"clientName":"Acme","siteId":"12","domain":"acme.convertro.com"}""");

        Assert.Null(result.Settings);
        Assert.Equal(["Please enter your Convertro Account Name."], result.Errors["account"]);
    }

    [Theory]
    [InlineData("""{"account":"","clientName":"Acme","siteId":"12","domain":"acme.convertro.com"}""")]
    [InlineData("""{"account":"   ","clientName":"Acme","siteId":"12","domain":"acme.convertro.com"}""")]
    [InlineData("""{"account":null,"clientName":"Acme","siteId":"12","domain":"acme.convertro.com"}""")]
    public void Parse_BlankAccount_ExactSegmentMessage(string json)
    {
        Assert.Equal(["Please enter your Convertro Account Name."], Parse(json).Errors["account"]);
    }

    [Fact]
    public void Parse_EmptyObject_ListsEveryRequiredField()
    {
        var result = Parse("{}");

        Assert.Equal(["account", "clientName", "domain", "siteId"], result.Errors.Keys.Order());
    }

    [Fact]
    public void Parse_ValidMinimal_AppliesDefaultsAndLowerCasesDomain()
    {
        var settings = Parse(Valid).Settings!;

        Assert.Equal("acme.convertro.com", settings.Domain);
        Assert.False(settings.HybridAttributionModel);
        Assert.True(settings.Enabled);
        Assert.Null(settings.SharedSecret);
        Assert.True(settings.Mapping.IsEmpty);
        Assert.Equal(Now, settings.UpdatedAt);
    }

    [Theory]
    [InlineData(".", "12", "clientName")]
    [InlineData("Acme", "..", "siteId")]
    public void Parse_DotSegmentAsClientNameOrSiteId_Rejected(string clientName, string siteId, string field)
    {
        var result = Parse($$"""{"account":"a","clientName":"{{clientName}}","siteId":"{{siteId}}","domain":"acme.sp1.convertro.com"}""");

        Assert.Null(result.Settings);
        Assert.Contains("path segment", Assert.Single(result.Errors[field]));
    }

    [Theory]
    [InlineData("https://acme.convertro.com")]
    [InlineData("acme.convertro.com/path")]
    [InlineData("acme.convertro.com:443")]
    [InlineData("acme convertro")]
    public void Parse_DomainNotABareHostName_Rejected(string domain)
    {
        var result = Parse($$"""{"account":"a","clientName":"c","siteId":"s","domain":"{{domain}}"}""");

        Assert.StartsWith("Must be a bare host name such as acme.convertro.com", Assert.Single(result.Errors["domain"]));
    }

    [Theory]
    [InlineData("d.com")]
    [InlineData("localhost")]
    [InlineData("169.254.169.254")]
    [InlineData("convertro.com.evil.example")]
    public void Parse_DomainNotAllowed_RejectedNamingTheSetting(string domain)
    {
        var result = Parse($$"""{"account":"a","clientName":"c","siteId":"s","domain":"{{domain}}"}""");

        Assert.Null(result.Settings);
        Assert.Contains($"'{domain}'", Assert.Single(Assert.Single(result.Errors).Value));
    }

    [Fact]
    public void Parse_EventsObjectAndArrayForms_GiveTheSameMapping()
    {
        var fromObject = Parse("""{"account":"a","clientName":"c","siteId":"s","domain":"acme.sp1.convertro.com","events":{" Signed Up ":"signup"}}""").Settings!;
        var fromArray = Parse("""{"account":"a","clientName":"c","siteId":"s","domain":"acme.sp1.convertro.com","events":[{"key":"Signed Up","value":" signup "}]}""").Settings!;

        Assert.Equal(fromObject.Events, fromArray.Events);
        Assert.True(fromArray.Mapping.TryMap("  SIGNED up", out var mapped));
        Assert.Equal("signup", mapped);
    }

    [Theory]
    [InlineData("""{"Signed Up":"a","signed up ":"b"}""", "'signed up' is mapped more than once")]
    [InlineData("""{"Signed Up":""}""", "the Convertro event name for 'Signed Up' must be a string")]
    [InlineData("""{"Signed Up":3}""", "the Convertro event name for 'Signed Up' must be a string")]
    [InlineData("""[{"value":"x"}]""", "events[0]: must be an object {\"key\"")]
    [InlineData("\"Signed Up=signup\"", "Must be an object of")]
    public void Parse_BadEventsMapping_Explained(string events, string expected)
    {
        var result = Parse($$"""{"account":"a","clientName":"c","siteId":"s","domain":"acme.sp1.convertro.com","events":{{events}}}""");

        Assert.Contains(result.Errors["events"], e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_MappingForOrderOrInstall_AcceptedWithWarning()
    {
        var result = Parse("""{"account":"a","clientName":"c","siteId":"s","domain":"acme.sp1.convertro.com","events":{"Order Completed":"purchase","Application Installed":"install"}}""");

        Assert.NotNull(result.Settings);
        Assert.Equal(2, result.Warnings.Count);
        Assert.Contains("sale, sale.new or sale.repeat", result.Warnings[0]);
        Assert.Contains("installs endpoint", result.Warnings[1]);
    }

    [Theory]
    [InlineData("\"hybridAttributionModel\":\"true\"", "hybridAttributionModel", "Must be true or false; got \"true\".")]
    [InlineData("\"enabled\":1", "enabled", "Must be true or false; got 1.")]
    [InlineData("\"siteID\":\"12\"", "siteID", "'siteID' is not a setting.")]
    [InlineData("\"sharedSecret\":\"\"", "sharedSecret", "Must be a non-empty string")]
    [InlineData("\"workspaceId\":\"other\"", "workspaceId", "The body names workspace 'other' but the URL names 'ws-1'.")]
    public void Parse_BadField_NamedWithProblem(string extra, string field, string expected)
    {
        var result = Parse(Valid.TrimEnd('}') + "," + extra + "}");

        Assert.Null(result.Settings);
        Assert.Contains(result.Errors[field], e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_SharedSecretSetTrueWithoutSecret_KeepsStoredSecret()
    {
        var result = Parse(Valid.TrimEnd('}') + ",\"sharedSecretSet\":true}", Stored("old-secret"));

        Assert.Equal("old-secret", result.Settings!.SharedSecret);
    }

    [Fact]
    public void Parse_NoSecretFields_KeepsTheStoredSecret()
    {
        // Secrets are write-only: a GET → edit → PUT round trip (GET never shows them) keeps them.
        Assert.Equal("old-secret", Parse(Valid, Stored("old-secret")).Settings!.SharedSecret);
    }

    [Fact]
    public void Parse_SecretNull_RemovesTheStoredSecret()
    {
        Assert.Null(Parse(Valid.TrimEnd('}') + ",\"sharedSecret\":null}", Stored("old-secret")).Settings!.SharedSecret);
    }

    [Fact]
    public void Parse_GdprApiKey_WriteOnlyLikeTheSharedSecret()
    {
        var set = Parse(Valid.TrimEnd('}') + ",\"gdprApiKey\":\"k-1\"}").Settings!;
        var kept = Parse(Valid, set).Settings!;
        var removed = Parse(Valid.TrimEnd('}') + ",\"gdprApiKey\":null}", set).Settings!;

        Assert.Equal(("k-1", "k-1", null), (set.GdprApiKey, kept.GdprApiKey, removed.GdprApiKey));
    }

    [Fact]
    public void Parse_NewSecret_ReplacesStoredSecret()
    {
        var result = Parse(Valid.TrimEnd('}') + ",\"sharedSecret\":\"new\",\"sharedSecretSet\":true}", Stored("old"));

        Assert.Equal("new", result.Settings!.SharedSecret);
    }

    [Fact]
    public void Parse_ReadOnlyFieldsFromAGet_Ignored()
    {
        var result = Parse(Valid.TrimEnd('}') + ",\"sharedSecretSet\":false,\"gdprApiKeySet\":true,\"updatedAt\":\"x\"}", Stored("kept"));

        Assert.Equal("kept", result.Settings!.SharedSecret);
        Assert.Null(result.Settings.GdprApiKey);
    }

    [Fact]
    public void Parse_NotAnObject_Rejected()
    {
        Assert.Contains("body", Parse("[]").Errors.Keys);
    }
}
