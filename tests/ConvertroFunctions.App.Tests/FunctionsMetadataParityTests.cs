using System.Text.Json;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ConvertroFunctions.App.Tests;

/// <summary>
/// The Functions app, as the real Worker SDK compiled it, declares exactly Core's route table
/// (<see cref="AppFunctions"/>), and LocalHost serves exactly that table: a function, route,
/// method, key level or queue changed in one place and not the others fails here.
/// </summary>
public sealed class FunctionsMetadataParityTests(LocalHostFixture localHost) : IClassFixture<LocalHostFixture>
{
    private readonly FunctionsMetadata metadata = FunctionsMetadata.Load();

    private static IReadOnlyList<HttpFunctionShape> TableHttpFunctions =>
    [
        .. AppFunctions.Endpoints
            .Select(e => new HttpFunctionShape(e.Function, e.Route, FunctionsMetadata.Methods([e.Method]), e.Authorization.ToString().ToLowerInvariant()))
            .OrderBy(f => f.Function, StringComparer.Ordinal),
    ];

    private static IReadOnlyList<QueueFunctionShape> TableQueueFunctions =>
    [
        .. AppFunctions.QueueFunctions
            .Select(q => new QueueFunctionShape(q.Function, q.Queue))
            .OrderBy(f => f.Function, StringComparer.Ordinal),
    ];

    [Fact]
    public void Every_http_function_has_the_tables_name_route_methods_and_key_level()
    {
        Assert.Equal(TableHttpFunctions, metadata.HttpFunctions);
    }

    [Fact]
    public void Every_queue_function_reads_the_tables_queue()
    {
        Assert.Equal(TableQueueFunctions, metadata.QueueFunctions);
    }

    [Fact]
    public void Every_timer_function_runs_on_the_tables_schedule()
    {
        Assert.Equal(
            AppFunctions.TimerFunctions.Select(t => new TimerFunctionShape(t.Function, t.Schedule)).OrderBy(f => f.Function, StringComparer.Ordinal),
            metadata.TimerFunctions);
        Assert.NotEmpty(metadata.TimerFunctions);
    }

    [Fact]
    public void The_metadata_and_the_table_name_the_same_functions()
    {
        var table = AppFunctions.Endpoints.Select(e => e.Function).Concat(AppFunctions.QueueFunctions.Select(q => q.Function))
            .Concat(AppFunctions.TimerFunctions.Select(t => t.Function)).Order(StringComparer.Ordinal);
        Assert.Equal(table, metadata.Names);
    }

    /// <summary>
    /// Health (for probes) and the console's page and assets (which hold no data: the page calls the
    /// keyed API with its ?code=) are anonymous; every function that reads or changes data needs its key.
    /// </summary>
    private static readonly string[] Anonymous = ["HealthFunction", "ConsoleFunction", "ConsoleAssetFunction"];

    [Fact]
    public void Only_health_and_the_console_are_anonymous_every_other_http_function_needs_its_function_key()
    {
        Assert.Equal(
            AppFunctions.Endpoints.Select(e => (e.Function, Anonymous.Contains(e.Function) ? "anonymous" : "function"))
                .OrderBy(f => f.Function, StringComparer.Ordinal),
            metadata.HttpFunctions.Select(f => (f.Function, f.AuthLevel)));
    }

    [Fact]
    public void The_metadata_describes_the_compiled_functions_assembly()
    {
        // Guards against a stale functions.metadata: every [Function] method of the assembly under
        // test is what the metadata says the host invokes, and nothing else is.
        Assert.Equal(
            FunctionsAssembly.Functions.Select(f => (f.Name, $"{f.Method.DeclaringType!.FullName}.{f.Method.Name}")),
            metadata.EntryPoints.Select(e => (e.Key, e.Value)).OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void The_host_json_route_prefix_is_the_tables()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(metadata.OutputDirectory, "host.json")));
        var prefix = hostJson.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString();
        Assert.Equal(ApiRoutes.Prefix, prefix);
    }

    [Fact]
    public void LocalHost_serves_exactly_the_tables_routes_and_methods_under_api()
    {
        var prefix = "/" + ApiRoutes.Prefix;
        var endpoints = localHost.Host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw == prefix || raw.StartsWith(prefix + "/", StringComparison.Ordinal)))
            .ToList();

        var lacking = endpoints.Where(e => e.Metadata.GetMetadata<ApiEndpoint>() is null).Select(e => e.RoutePattern.RawText);
        Assert.Empty(lacking);

        var served = endpoints
            .Select(e => (
                Function: e.Metadata.GetRequiredMetadata<ApiEndpoint>().Function,
                Route: e.RoutePattern.RawText!,
                Methods: FunctionsMetadata.Methods(e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["(any)"])))
            .OrderBy(e => e.Function, StringComparer.Ordinal);
        var table = AppFunctions.Endpoints
            .Select(e => (e.Function, Route: $"{prefix}/{e.Route}", Methods: FunctionsMetadata.Methods([e.Method])))
            .OrderBy(e => e.Function, StringComparer.Ordinal);
        Assert.Equal(table, served);
    }
}
