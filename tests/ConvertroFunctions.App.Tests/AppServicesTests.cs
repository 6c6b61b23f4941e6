using ConvertroFunctions.Core;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Ingest;
using Microsoft.ApplicationInsights.WorkerService;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.ApplicationInsights;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.App.Tests;

/// <summary>
/// The Functions app's service provider, built from <see cref="AppServices.AddConvertroFunctionsApp"/>
/// as Program.cs builds it but without the Functions host: every Core service and every function
/// class resolves, and the options validation the host runs at start passes with the defaults and
/// names the setting when one is invalid. Nothing connects anywhere while resolving.
/// The provider is disposed asynchronously, as the host does (the worker's telemetry module is
/// only IAsyncDisposable).
/// </summary>
public sealed class AppServicesTests
{
    private static readonly string? ApplicationInsightsProvider = typeof(ApplicationInsightsLoggerProvider).FullName;

    /// <summary>What a fresh deployment's app settings and local.settings.json hold.</summary>
    internal static Dictionary<string, string?> RealisticSettings() => new()
    {
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
    };

    /// <summary>
    /// The host's part (configuration, logging) and then exactly what Program.cs adds, less one
    /// Application Insights module: AzureInstanceMetadataTelemetryModule asks the Azure instance
    /// metadata endpoint (169.254.169.254, off this machine) what VM it runs on as soon as the SDK
    /// starts, and tests send nothing off this machine.
    /// </summary>
    internal static ServiceCollection AppServiceCollection(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddConvertroLoggingDefaults().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddConvertroFunctionsApp(configuration);
        services.Configure<ApplicationInsightsServiceOptions>(options => options.EnableAzureInstanceMetadataTelemetryModule = false);
        return services;
    }

    private static ServiceProvider BuildAppServices(Dictionary<string, string?> settings) =>
        Build(AppServiceCollection(settings));

    /// <summary>With the checks the host's provider makes in Development: every registration constructible, no scope leaks.</summary>
    internal static ServiceProvider Build(ServiceCollection services) =>
        services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

    [Fact]
    public async Task Every_core_handler_and_service_resolves()
    {
        var core = typeof(IngestHandler).Assembly;
        var services = AppServiceCollection(RealisticSettings());
        var coreServices = services
            .Where(d => d.ServiceType.Assembly == core && !d.ServiceType.IsGenericTypeDefinition)
            .Select(d => d.ServiceType)
            .ToHashSet();
        // A static handler (the console's: no services, nothing to register) is called directly.
        var handlers = core.GetExportedTypes()
            .Where(t => t.IsClass && !(t.IsAbstract && t.IsSealed) && t.Name.EndsWith("Handler", StringComparison.Ordinal)).ToHashSet();
        Assert.NotEmpty(handlers); // reflection found them; each must be registered
        Assert.Subset(coreServices, handlers);

        await using var provider = Build(services);
        Assert.All(coreServices, type => Assert.NotNull(provider.GetRequiredService(type)));
    }

    [Fact]
    public async Task Every_function_class_is_constructed_from_the_apps_services()
    {
        await using var provider = BuildAppServices(RealisticSettings());
        Assert.Equal(AppFunctions.Endpoints.Count + AppFunctions.QueueFunctions.Count + AppFunctions.TimerFunctions.Count, FunctionsAssembly.Functions.Count);
        Assert.All(FunctionsAssembly.FunctionClasses, type =>
            Assert.IsType(type, ActivatorUtilities.CreateInstance(provider, type)));
    }

    [Fact]
    public async Task The_options_startup_validation_passes_with_the_defaults()
    {
        await using var provider = BuildAppServices(RealisticSettings());
        var validator = provider.GetRequiredService<IStartupValidator>();
        Assert.Null(Record.Exception(validator.Validate));
    }

    [Theory]
    [InlineData("Convertro:TimeoutSeconds", "0", "TimeoutSeconds")]
    [InlineData("Convertro:BaseUrl", "ftp://127.0.0.1/", "Convertro:BaseUrl")]
    [InlineData("Delivery:MaxParallelEvents", "0", "MaxParallelEvents")]
    [InlineData("Ingest:MaxBodyBytes", "10", "MaxBodyBytes")]
    [InlineData("Ingest:MaxEventsPerBody", "0", "MaxEventsPerBody")]
    [InlineData("Convertro:GdprApiUrl", "http://gdpr.convertro.com/v1/requests", "Convertro:GdprApiUrl must be https")]
    [InlineData("Convertro:AllowedDomainSuffixes", "169.254.169.254", "Convertro:AllowedDomainSuffixes")]
    public async Task An_invalid_setting_fails_the_startup_validation_naming_it(string key, string value, string named)
    {
        var settings = RealisticSettings();
        settings[key] = value;
        await using var provider = BuildAppServices(settings);
        var validator = provider.GetRequiredService<IStartupValidator>();
        // One invalid options type throws its OptionsValidationException; several, an AggregateException of them.
        var error = Assert.ThrowsAny<Exception>(validator.Validate);
        var messages = error is AggregateException all ? string.Join(Environment.NewLine, all.InnerExceptions.Select(e => e.Message)) : error.Message;
        Assert.Contains(named, messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Information_logs_reach_application_insights()
    {
        // The Application Insights SDK alone keeps only warnings for its logger...
        var sdkOnly = new ServiceCollection();
        sdkOnly.AddApplicationInsightsTelemetryWorkerService();
        await using (var provider = sdkOnly.BuildServiceProvider())
        {
            Assert.Contains(provider.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.Rules,
                r => r.ProviderName == ApplicationInsightsProvider);
        }

        // ...and the app removes that rule.
        await using var app = BuildAppServices(RealisticSettings());
        Assert.DoesNotContain(app.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.Rules,
            r => r.ProviderName == ApplicationInsightsProvider);
    }
}
