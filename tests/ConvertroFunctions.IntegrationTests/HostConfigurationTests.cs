using System.Text.Json;
using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.Core.Ingest;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost;
using ConvertroFunctions.LocalHost.Queues;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>LocalHost reads what the Functions host reads, and refuses bad settings at start.</summary>
public sealed class HostConfigurationTests(PipelineFixture pipeline) : IClassFixture<PipelineFixture>
{
    [Fact]
    public void Container_Built_ResolvesEveryHandlerAndClient()
    {
        var services = pipeline.Host.App.Services;

        Assert.NotNull(services.GetRequiredService<IngestHandler>());
        Assert.NotNull(services.GetRequiredService<DeliveryHandler>());
        Assert.NotNull(services.GetRequiredService<DeadLetterWriter>());
        Assert.NotNull(services.GetRequiredService<WorkspaceAdminHandler>());
        Assert.NotNull(services.GetRequiredService<PreviewHandler>());
        Assert.NotNull(services.GetRequiredService<DeadLetterAdminHandler>());
        Assert.NotNull(services.GetRequiredService<HealthHandler>());
        Assert.NotNull(services.GetRequiredService<ConvertroClient>());
    }

    [Fact]
    public void QueueOptions_NotOverridden_ComeFromTheRepoHostJson()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "host.json")));
        var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");

        // What the job host's Storage Queues extension is given (QueueTriggerHost binds this section).
        var options = new QueuesOptions();
        pipeline.Host.App.Services.GetRequiredService<IConfiguration>().GetSection(QueueTriggerHost.QueuesSection).Bind(options);

        Assert.Equal(queues.GetProperty("batchSize").GetInt32(), options.BatchSize);
        Assert.Equal(queues.GetProperty("newBatchThreshold").GetInt32(), options.NewBatchThreshold);
        Assert.Equal(queues.GetProperty("maxDequeueCount").GetInt32(), options.MaxDequeueCount);
        Assert.Equal(queues.GetProperty("messageEncoding").GetString(), options.MessageEncoding.ToString(), StringComparer.OrdinalIgnoreCase);
        // The fixture overrides these two the way the Functions host allows: AzureFunctionsJobHost__extensions__queues__*.
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.MaxPollingInterval);
        Assert.Equal(TimeSpan.Zero, options.VisibilityTimeout);
    }

    [Theory]
    [InlineData("Convertro:BaseUrl", "ftp://convertro.example", "Convertro:BaseUrl must be an absolute http(s) URL")]
    [InlineData("Convertro:InstallsPath", "/api/install?x=1", "Convertro:InstallsPath must be a relative path")]
    [InlineData("Convertro:GdprApiUrl", "http://gdpr.convertro.com/v1/requests", "Convertro:GdprApiUrl must be https")]
    [InlineData("Convertro:AllowedDomainSuffixes", ".convertro.com,10.0.0.1", "Convertro:AllowedDomainSuffixes: '10.0.0.1' is not a domain")]
    [InlineData("Convertro:AllowedDomainSuffixes", " , ", "Convertro:AllowedDomainSuffixes: it must name at least one domain")]
    [InlineData("Delivery:RetryDelays", "00:00:30,soon", "'soon' is not")]
    [InlineData("Convertro:TimeoutSeconds", "0", "TimeoutSeconds")]
    [InlineData("Ingest:MaxBodyBytes", "10", "MaxBodyBytes")]
    [InlineData("AzureFunctionsJobHost:extensions:queues:batchSize", "64", "host.json extensions.queues.batchSize ('64') is not valid")]
    [InlineData("AzureFunctionsJobHost:extensions:queues:maxDequeueCount", "0", "host.json extensions.queues.maxDequeueCount ('0') is not valid")]
    [InlineData("Ingest:MaxBodyBytes", "lots", "'Ingest:MaxBodyBytes' to type 'System.Int32'")]
    [InlineData("Ledger:LeaseSeconds", "1", "LeaseSeconds")]
    [InlineData("Idempotency:LeaseSeconds", "1", "LeaseSeconds")]
    [InlineData("Convertro:Sandbox", "yes", "'Convertro:Sandbox' to type 'System.Boolean'")]
    [InlineData("AzureWebJobs.RetentionFunction.Disabled", "maybe", "'AzureWebJobs.RetentionFunction.Disabled' to type 'System.Boolean'")]
    public async Task Start_InvalidSetting_FailsAtStartWithOneLineNamingIt(string key, string value, string expected)
    {
        var settings = PipelineFixture.DefaultSettings(pipeline.Azurite.ConnectionString, pipeline.Convertro.BaseUrl);
        settings[key] = value;

        // What Program.cs prints (without a stack trace) and exits 1 on.
        var error = await Assert.ThrowsAsync<LocalHostStartException>(() => LocalHostApp.StartAsync(["--urls", "http://127.0.0.1:0"], settings));

        Assert.StartsWith("A setting is invalid: ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void LocalSettings_Values_ReadWithDoubleUnderscoresAsSections()
    {
        var path = Path.Combine(Path.GetTempPath(), $"local.settings.{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            {
              "IsEncrypted": false,
              "Values": {
                "AzureWebJobsStorage": "UseDevelopmentStorage=true",
                "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",
                "Convertro__BaseUrl": "http://127.0.0.1:5005",
                "Workspaces__CacheSeconds": 5
              }
            }
            """);
        try
        {
            var values = FunctionsStyleConfiguration.ReadValues(path).ToDictionary();

            Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
            Assert.Equal("http://127.0.0.1:5005", values["Convertro:BaseUrl"]);
            Assert.Equal("5", values["Workspaces:CacheSeconds"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LocalSettings_Encrypted_RefusedWithReason()
    {
        var path = Path.Combine(Path.GetTempPath(), $"local.settings.{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"IsEncrypted": true, "Values": {"A": "x"}}""");
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => FunctionsStyleConfiguration.ReadValues(path).ToList());
            Assert.Contains("IsEncrypted", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string RepoRoot() => ConvertroFunctions.LocalHost.Azurite.RepoPaths.FindRoot();
}
