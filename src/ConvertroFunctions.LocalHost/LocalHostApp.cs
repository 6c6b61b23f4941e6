using ConvertroFunctions.Core;
using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Audit;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.LocalHost.Azurite;
using ConvertroFunctions.LocalHost.Queues;
using Microsoft.Azure.WebJobs.Host;
using ConvertroFunctions.LocalHost.Sandbox;
using ConvertroFunctions.LocalHost.Timers;
using ConvertroFunctions.Core.Convertro;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace ConvertroFunctions.LocalHost;

/// <summary>
/// Builds and starts LocalHost: the same routes, handlers and queue semantics as the Functions app,
/// on http://127.0.0.1:7071 unless --urls says otherwise.
/// </summary>
public static class LocalHostApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <summary>Sends to each workspace's real https://{domain} even when Convertro__BaseUrl is unset.</summary>
    public const string LiveSwitch = "--live";

    /// <summary>Allows listening on other than loopback: LocalHost checks no function keys, so this exposes every admin route.</summary>
    public const string PublicSwitch = "--public";

    /// <param name="overrides">Settings laid over everything else (tests).</param>
    /// <param name="configure">Last changes to the builder before it is built (tests: a log capture).</param>
    /// <exception cref="LocalHostStartException">A problem the user can fix (a port in use, a bad setting), with what to do.</exception>
    public static async Task<LocalHostInstance> StartAsync(
        string[] args, IEnumerable<KeyValuePair<string, string?>>? overrides = null, CancellationToken ct = default,
        Action<WebApplicationBuilder>? configure = null)
    {
        var live = args.Contains(LiveSwitch);
        var exposed = args.Contains(PublicSwitch);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. args.Where(a => a != LiveSwitch && a != PublicSwitch)],
            ContentRootPath = AppContext.BaseDirectory,
        });
        static void Log(string line) => Console.WriteLine($"[LocalHost] {line}");
        builder.Configuration.AddConvertroLoggingDefaults();
        FunctionsStyleConfiguration.AddTo(builder.Configuration, Log);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }
        var urls = builder.Configuration["urls"] is { Length: > 0 } given ? given : DefaultUrl;
        LocalExposure.Apply(builder.Configuration, urls, exposed, Log);
        LocalHostStartException.ThrowIfPortsTaken(urls);
        var storage = await EmbeddedStorage.EnsureAsync(builder.Configuration, Log, ct);
        WebApplication? app = null;
        try
        {
            app = Build(builder, urls, UseSandbox(builder.Configuration, live), configure);
            await app.StartAsync(ct);
            var instance = new LocalHostInstance(app, storage.Started);
            storage.Started?.Watch(reason =>
            {
                Console.Error.WriteLine($"[LocalHost] {reason}");
                Environment.ExitCode = 1;
                app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
            });
            Log(instance.Banner(storage.Description));
            return instance;
        }
        catch (Exception ex)
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
            if (storage.Started is not null)
            {
                await storage.Started.DisposeAsync();
            }
            throw LocalHostStartException.From(ex, urls) ?? ex;
        }
    }

    /// <summary>
    /// The sandbox is LocalHost's default Convertro: on unless Convertro__BaseUrl names one,
    /// Convertro__Sandbox is false, or --live was given.
    /// </summary>
    private static bool UseSandbox(IConfiguration configuration, bool live)
    {
        var sandbox = configuration.GetValue("Convertro:Sandbox", true); // read (and a bad value refused) whatever else is set
        return sandbox && !live && string.IsNullOrWhiteSpace(configuration["Convertro:BaseUrl"]);
    }

    private static WebApplication Build(WebApplicationBuilder builder, string urls, bool sandbox, Action<WebApplicationBuilder>? configure)
    {
        builder.WebHost.UseUrls(urls);
        // Handlers read bodies themselves with their own limits (Ingest__MaxBodyBytes).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);

        builder.Services.AddConvertroFunctionsCore(builder.Configuration);
        builder.Services.Replace(ServiceDescriptor.Singleton<AuditCaller, LocalAuditCaller>());
        builder.Services.Replace(ServiceDescriptor.Singleton<HealthAudience, LocalHealthAudience>());
        // SIGTERM: stop taking messages, let deliveries hand their work back, exit well inside 30 s.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(25));
        if (sandbox)
        {
            builder.Services.AddSingleton<ConvertroSandbox>();
            builder.Services.Replace(ServiceDescriptor.Singleton<ConvertroTarget, SandboxTarget>());
        }
        // The queue triggers run in the Functions host's own listener (the WebJobs Storage Queues
        // extension), which also reads AzureWebJobs.<function>.Disabled=true, as in Azure.
        builder.Services.AddOptions<QueuesOptions>().Configure(o => QueueTriggerHost.Bind(builder.Configuration, o)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<QueuesOptions>, QueueSettingsValidator>();
        builder.Services.AddSingleton(sp => new JobHostFunctions(ActivatorUtilities.CreateInstance<QueueTriggers>(sp)));
        builder.Services.AddHostedService<QueueTriggerHost>();
        // The job host logs two lines per invocation ("Executing", "Executed"), and forwards the Azure
        // SDK's request log (the extension's log forwarder, category Azure.Core): Application Insights
        // material in Azure, noise on a console. Warnings and errors (a failed run) still show.
        builder.Logging.AddFilter("Azure", LogLevel.Warning);
        builder.Logging.AddFilter("Function", LogLevel.Warning);
        builder.Logging.AddFilter("Host", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Azure.WebJobs", LogLevel.Warning);
        builder.Services.TryAddSingleton<ITimerStatusStore, TableTimerStatusStore>();
        foreach (var function in AppFunctions.TimerFunctions.Where(f => !Disabled(builder.Configuration, f.Function)))
        {
            builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<TimerService>(sp, function));
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapAppFunctions();
        // Not an API route (the Functions app has no "/"): LocalHost's root opens the console.
        app.MapGet("/", (HttpRequest request) => TypedResults.Redirect($"/{ApiRoutes.Prefix}/{ApiRoutes.Console}{request.QueryString}"));
        app.Services.GetService<ConvertroSandbox>()?.Map(app);
        return app;
    }

    private static bool Disabled(IConfiguration configuration, string function) =>
        configuration.GetValue($"AzureWebJobs.{function}.Disabled", false);
}

/// <summary>A started LocalHost; disposing it stops the app and any Azurite it started.</summary>
public sealed class LocalHostInstance(WebApplication app, EmbeddedAzurite? azurite) : IAsyncDisposable
{
    public WebApplication App { get; } = app;

    /// <summary>The Azurite LocalHost started and watches, if it started one.</summary>
    public EmbeddedAzurite? Azurite { get; } = azurite;

    /// <summary>The first address Kestrel bound (the real port when --urls asked for port 0).</summary>
    public Uri BaseAddress => new(App.Services.GetRequiredService<IServer>().Features
        .GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    public Task WaitForShutdownAsync() => App.WaitForShutdownAsync();

    /// <summary>What a new user needs to know at start: where to send, what is stored where, where Convertro calls go.</summary>
    public string Banner(string storage)
    {
        var root = BaseAddress.ToString().TrimEnd('/');
        return string.Join(Environment.NewLine,
            $"ConvertroFunctions LocalHost is running.",
            $"  Ingest (Segment's webhook URL): {root}/{ApiRoutes.Prefix}/{ApiRoutes.Ingest}",
            $"  Admin API:                      {root}/{ApiRoutes.Prefix}/{ApiRoutes.Workspace}",
            $"  Console:                        {root}/ (the operations console: counts, event lookup, dead letters, preview)",
            $"  Health:                         {root}/{ApiRoutes.Prefix}/{ApiRoutes.Health}",
            $"  Storage:                        {storage}",
            $"  Convertro:                      {App.Services.GetRequiredService<ConvertroTarget>().Describe()}",
            App.Services.GetService<ConvertroSandbox>() is null ? string.Empty
                : $"  Sandbox requests:               {root}{ConvertroSandbox.Prefix}/requests",
            "Press Ctrl+C to stop.");
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (Azurite is not null)
        {
            await Azurite.DisposeAsync();
        }
    }
}
