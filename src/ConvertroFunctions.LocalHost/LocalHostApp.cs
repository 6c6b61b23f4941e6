using ConvertroFunctions.Core;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.LocalHost.Azurite;
using ConvertroFunctions.LocalHost.Queues;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.LocalHost;

/// <summary>
/// Builds and starts LocalHost: the same routes, handlers and queue semantics as the Functions app,
/// on http://127.0.0.1:7071 unless --urls says otherwise.
/// </summary>
public static class LocalHostApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <param name="overrides">Settings laid over everything else (tests).</param>
    /// <param name="configure">Last changes to the builder before it is built (tests: a log capture).</param>
    public static async Task<LocalHostInstance> StartAsync(
        string[] args, IEnumerable<KeyValuePair<string, string?>>? overrides = null, CancellationToken ct = default,
        Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        static void Log(string line) => Console.WriteLine($"[LocalHost] {line}");
        builder.Configuration.AddConvertroLoggingDefaults();
        FunctionsStyleConfiguration.AddTo(builder.Configuration, Log);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }
        var azurite = await EmbeddedStorage.EnsureAsync(builder.Configuration, Log, ct);
        WebApplication? app = null;
        try
        {
            app = Build(builder, configure);
            await app.StartAsync(ct);
            return new LocalHostInstance(app, azurite);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }
            throw;
        }
    }

    private static WebApplication Build(WebApplicationBuilder builder, Action<WebApplicationBuilder>? configure)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        // Handlers read bodies themselves with their own limits (Ingest__MaxBodyBytes).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);

        builder.Services.AddConvertroFunctionsCore(builder.Configuration);
        builder.Services.AddOptions<QueueHostOptions>()
            .Bind(builder.Configuration.GetSection(QueueHostOptions.SectionName))
            .Configure(o => o.MessageLease = builder.Configuration.GetValue(QueueHostOptions.MessageLeaseSetting, o.MessageLease))
            .Validate(o => { o.Validate(); return true; })
            .ValidateOnStart();
        // AzureWebJobs.<function>.Disabled=true turns a queue function off, as in the Functions host.
        foreach (var function in ConvertroApi.QueueFunctions.Where(f => !Disabled(builder.Configuration, f.Function)))
        {
            builder.Services.AddSingleton<IHostedService>(sp => Listener(sp, function.Queue, function.Handler(sp)));
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapConvertroApi();
        return app;
    }

    private static bool Disabled(IConfiguration configuration, string function) =>
        configuration.GetValue($"AzureWebJobs.{function}.Disabled", false);

    private static QueueListener Listener(IServiceProvider services, string queue, Func<BinaryData, CancellationToken, Task> handler) =>
        new(queue, handler, services.GetRequiredService<StorageClients>(),
            services.GetRequiredService<IOptions<QueueHostOptions>>(), services.GetRequiredService<ILogger<QueueListener>>());
}

/// <summary>A started LocalHost; disposing it stops the app and any Azurite it started.</summary>
public sealed class LocalHostInstance(WebApplication app, AzuriteProcess? azurite) : IAsyncDisposable
{
    public WebApplication App { get; } = app;

    public AzuriteProcess? Azurite { get; } = azurite;

    /// <summary>The first address Kestrel bound (the real port when --urls asked for port 0).</summary>
    public Uri BaseAddress => new(App.Services.GetRequiredService<IServer>().Features
        .GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    public Task WaitForShutdownAsync() => App.WaitForShutdownAsync();

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
