using System.Collections.Immutable;
using System.Net;
using System.Reflection;
using System.Text;
using ConvertroFunctions.Core;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.Fakes;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost;
using ConvertroFunctions.LocalHost.Azurite;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConvertroFunctions.App.Tests;

/// <summary>
/// Each table entry's guard (<see cref="ApiEndpoint.Guard"/>) is applied by each host exactly once:
/// no handler applies it itself, LocalHost's endpoint filter and the Functions app's
/// <see cref="GuardMiddleware"/> answer a guarded route's unknown or malformed workspace as the
/// guard does, and a guarded read costs one settings read in both hosts (a second guard, or a
/// handler reading again, would make it two). The Functions host cannot run here: its part is
/// the middleware and the function class, given the invocation as the host would.
/// </summary>
public sealed class GuardTests(GuardTests.Hosts hosts) : IClassFixture<GuardTests.Hosts>
{
    private const string Unknown = "no-such-workspace";
    private const string Malformed = "bad id!";

    /// <summary>Every guarded function with a workspace its guard refuses: unknown (404) where it must exist, malformed (400) wherever the route names one.</summary>
    public static IEnumerable<object[]> Refusals() =>
    [
        .. Guarded(GuardNeed.Existing).Select(f => new object[] { f, Unknown, HttpStatusCode.NotFound, "Unknown workspace" }),
        .. Guarded(GuardNeed.WorkspaceId).Select(f => new object[] { f, Malformed, HttpStatusCode.BadRequest, "Invalid request" }),
    ];

    private static IEnumerable<string> Guarded(GuardNeed least) => AppFunctions.Endpoints.Where(e => e.Guard >= least).Select(e => e.Function);

    [Fact]
    public void No_handler_or_function_applies_the_guard_itself_only_the_functions_apps_middleware_takes_it()
    {
        var takers = typeof(ApiGuard).Assembly.GetTypes().Concat(FunctionsAssembly.Assembly.GetTypes())
            .Where(t => t.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
                .Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(ApiGuard))))
            .Select(t => t.FullName);
        Assert.Equal([typeof(GuardMiddleware).FullName], takers);
    }

    [Fact]
    public void Only_health_and_the_console_are_unguarded_and_every_workspace_route_checks_its_workspace()
    {
        Assert.Equal(["ConsoleAssetFunction", "ConsoleFunction", "HealthFunction"],
            AppFunctions.Endpoints.Where(e => e.Guard == GuardNeed.None).Select(e => e.Function).Order(StringComparer.Ordinal));
        Assert.All(AppFunctions.Endpoints, e =>
            Assert.Equal(e.Route.Contains("{" + ApiGuard.WorkspaceIdParameter + "}", StringComparison.Ordinal), e.Guard >= GuardNeed.WorkspaceId));
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_workspace_the_guard_refuses_is_answered_alike_in_both_hosts_and_the_function_never_runs(
        string function, string workspaceId, HttpStatusCode status, string title)
    {
        var local = await hosts.SendToLocalHostAsync(function, workspaceId);
        var functions = await hosts.InvokeFunctionAsync(function, workspaceId);

        Assert.All(new[] { local, functions }, answer => answer.AssertProblem(status, title));
        Assert.False(functions.FunctionRan);
    }

    [Fact]
    public async Task A_guarded_read_reads_the_workspaces_settings_once_in_each_host()
    {
        var id = await hosts.CreateWorkspaceAsync();
        var asked = id.ToUpperInvariant();

        var local = await hosts.CountWorkspaceReadsAsync(() => hosts.SendToLocalHostAsync("GetWorkspaceFunction", asked));
        var functions = await hosts.CountWorkspaceReadsAsync(() => hosts.InvokeFunctionAsync("GetWorkspaceFunction", asked,
            (instances, request, context) => Task.FromResult(instances.GetRequiredService<WorkspaceFunctions>().Get(request))));

        Assert.All(new[] { local, functions }, read =>
        {
            Assert.Equal(HttpStatusCode.OK, read.Answer.Status);
            Assert.Equal("no-store", read.Answer.CacheControl);
            Assert.Contains($"\"workspaceId\":\"{id}\"", read.Answer.Body, StringComparison.Ordinal);
            Assert.Equal(1, read.WorkspaceReads);
        });
        Assert.True(functions.Answer.FunctionRan);
    }

    [Fact]
    public async Task In_the_functions_app_a_storage_outage_inside_a_function_is_answered_503_by_the_guard()
    {
        var answer = await hosts.InvokeFunctionAsync("ListWorkspacesFunction", null,
            (instances, request, context) => instances.GetRequiredService<WorkspaceFunctions>().List(request, context),
            hosts.FunctionsAppWithoutStorage);

        Assert.True(answer.FunctionRan);
        answer.AssertProblem(HttpStatusCode.ServiceUnavailable, "Storage unavailable");
        Assert.Equal("10", answer.RetryAfter);
    }

    /// <summary>An answer as either host gave it.</summary>
    public sealed record Answer(HttpStatusCode Status, string? ContentType, string? CacheControl, string? RetryAfter, string Body, bool FunctionRan)
    {
        public void AssertProblem(HttpStatusCode status, string title)
        {
            Assert.Equal(status, Status);
            Assert.Equal("application/problem+json", ContentType?.Split(';')[0]);
            Assert.Equal("no-store", CacheControl);
            Assert.Contains($"\"title\":\"{title}\"", Body, StringComparison.Ordinal);
        }
    }

    public sealed record CountedAnswer(Answer Answer, long WorkspaceReads);

    /// <summary>
    /// One Azurite with a table-request counter on every client, LocalHost on it, and the Functions
    /// app's service provider (as Program.cs registers it) on it and on a storage nobody answers.
    /// </summary>
    public sealed class Hosts : IAsyncLifetime
    {
        private AzuriteProcess azurite = null!;
        private LocalHostInstance localHost = null!;
        private HttpClient client = null!;
        private TableRequestCounter counter = null!;

        public ServiceProvider FunctionsApp { get; private set; } = null!;

        public ServiceProvider FunctionsAppWithoutStorage { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            azurite = await TestAzurite.StartAsync();
            counter = new TableRequestCounter(azurite.TablePort);
            localHost = await LocalHostApp.StartAsync(
                ["--urls", "http://127.0.0.1:0"],
                [new("AzureWebJobsStorage", azurite.ConnectionString), new("Logging:LogLevel:Default", "Warning")],
                configure: builder => builder.Services.Replace(
                    ServiceDescriptor.Singleton(_ => StorageClients.FromConfiguration(builder.Configuration, counter.AddTo))));
            client = new HttpClient { BaseAddress = localHost.BaseAddress };
            FunctionsApp = FunctionsAppOn(azurite.ConnectionString);
            var dead = LocalHostProcess.FreePort();
            FunctionsAppWithoutStorage = FunctionsAppOn(azurite.ConnectionString
                .Replace($":{azurite.QueuePort}/", $":{dead}/", StringComparison.Ordinal)
                .Replace($":{azurite.TablePort}/", $":{dead}/", StringComparison.Ordinal));
        }

        private ServiceProvider FunctionsAppOn(string storage)
        {
            var settings = AppServicesTests.RealisticSettings();
            settings["AzureWebJobsStorage"] = storage;
            var services = AppServicesTests.AppServiceCollection(settings);
            services.Replace(ServiceDescriptor.Singleton(s => StorageClients.FromConfiguration(s.GetRequiredService<IConfiguration>(), counter.AddTo)));
            foreach (var type in FunctionsAssembly.FunctionClasses)
            {
                services.AddTransient(type);
            }
            return AppServicesTests.Build(services);
        }

        public async Task<string> CreateWorkspaceAsync()
        {
            var id = "guard-" + Guid.NewGuid().ToString("N")[..8];
            using var put = await client.PutAsync($"/api/workspaces/{id}", Json("""{"account":"a","clientName":"c","siteId":"s","domain":"acme.sp1.convertro.com"}"""));
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            return id;
        }

        public async Task<CountedAnswer> CountWorkspaceReadsAsync(Func<Task<Answer>> send)
        {
            var before = counter.RequestsTo("Workspaces");
            var answer = await send();
            return new CountedAnswer(answer, counter.RequestsTo("Workspaces") - before);
        }

        /// <summary>The function's route with this workspace (and a message id, for the event lookup), as LocalHost serves it.</summary>
        public async Task<Answer> SendToLocalHostAsync(string function, string workspaceId)
        {
            var endpoint = AppFunctions.Endpoint(function)!;
            var path = "/api/" + endpoint.Route
                .Replace("{workspaceId}", Uri.EscapeDataString(workspaceId), StringComparison.Ordinal)
                .Replace("{messageId}", "some-message", StringComparison.Ordinal);
            using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), path);
            if (endpoint.Method != HttpMethods.Get)
            {
                request.Content = Json("{}");
            }
            using var response = await client.SendAsync(request);
            return new Answer(response.StatusCode, response.Content.Headers.ContentType?.ToString(), response.Headers.CacheControl?.ToString(),
                response.Headers.RetryAfter?.ToString(), await response.Content.ReadAsStringAsync(), FunctionRan: false);
        }

        /// <summary>
        /// The invocation as the Functions host gives it: the trigger's binding data, the request's
        /// HttpContext (as the ASP.NET Core integration puts it in the context's items), the
        /// <see cref="GuardMiddleware"/>, then <paramref name="function"/>'s method, whose result is
        /// executed as the integration executes it.
        /// </summary>
        public async Task<Answer> InvokeFunctionAsync(
            string function, string? workspaceId, Func<IServiceProvider, HttpRequest, FunctionContext, Task<IActionResult>>? run = null,
            ServiceProvider? app = null)
        {
            await using var scope = (app ?? FunctionsApp).CreateAsyncScope();
            var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            http.Request.Method = AppFunctions.Endpoint(function)!.Method;
            http.Response.Body = new MemoryStream();
            var bindingData = new Dictionary<string, object?>();
            if (workspaceId is not null)
            {
                bindingData[ApiGuard.WorkspaceIdParameter] = workspaceId;
            }
            var context = new InvocationContext(function, bindingData, http, scope.ServiceProvider);
            var ran = false;
            IActionResult? result = null;
            await ActivatorUtilities.CreateInstance<GuardMiddleware>(scope.ServiceProvider).Invoke(context, async c =>
            {
                ran = true;
                if (run is null)
                {
                    Assert.Fail($"{function} ran for workspace '{workspaceId}': the guard was to answer for it.");
                }
                result = await run(scope.ServiceProvider, http.Request, c);
            });
            if (result is not null)
            {
                await result.ExecuteResultAsync(new ActionContext(http, new RouteData(), new ActionDescriptor()));
            }
            http.Response.Body.Position = 0;
            using var reader = new StreamReader(http.Response.Body);
            return new Answer((HttpStatusCode)http.Response.StatusCode, http.Response.ContentType, http.Response.Headers.CacheControl,
                http.Response.Headers.RetryAfter, await reader.ReadToEndAsync(), ran);
        }

        private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

        public async Task DisposeAsync()
        {
            client?.Dispose();
            if (FunctionsApp is not null)
            {
                await FunctionsApp.DisposeAsync();
            }
            if (FunctionsAppWithoutStorage is not null)
            {
                await FunctionsAppWithoutStorage.DisposeAsync();
            }
            if (localHost is not null)
            {
                await localHost.DisposeAsync();
            }
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }
        }
    }

    /// <summary>A function invocation's context with what the middleware reads: the function's name, the binding data, the HttpContext.</summary>
    private sealed class InvocationContext(string function, IReadOnlyDictionary<string, object?> bindingData, HttpContext http, IServiceProvider services)
        : FunctionContext
    {
        public override string InvocationId { get; } = Guid.NewGuid().ToString();

        public override string FunctionId => function;

        public override TraceContext TraceContext => throw new NotSupportedException();

        public override BindingContext BindingContext { get; } = new Bindings(bindingData);

        public override RetryContext RetryContext => throw new NotSupportedException();

        public override IServiceProvider InstanceServices { get; set; } = services;

        public override FunctionDefinition FunctionDefinition { get; } = new Definition(function);

        // The key the ASP.NET Core integration keeps the request's HttpContext under (FunctionContext.GetHttpContext()).
        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object> { ["HttpRequestContext"] = http };

        public override IInvocationFeatures Features => throw new NotSupportedException();

        public override CancellationToken CancellationToken => CancellationToken.None;
    }

    private sealed class Bindings(IReadOnlyDictionary<string, object?> data) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData => data;
    }

    private sealed class Definition(string name) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];

        public override string PathToAssembly => typeof(GuardMiddleware).Assembly.Location;

        public override string EntryPoint => throw new NotSupportedException();

        public override string Id => name;

        public override string Name => name;

        public override IImmutableDictionary<string, BindingMetadata> InputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }
}
