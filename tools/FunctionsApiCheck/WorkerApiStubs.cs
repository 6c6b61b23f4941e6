// Compile-only stand-ins for the members of the Azure Functions Worker packages that
// src/ConvertroFunctions uses, with the signatures of the published packages
// (Microsoft.Azure.Functions.Worker 2.x, .Extensions.Http 3.x, .Extensions.Http.AspNetCore 2.x,
// .Extensions.Storage.Queues 5.x, .ApplicationInsights 2.x). Bodies throw: never run.
#pragma warning disable CA1822, IDE0060
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.Azure.Functions.Worker
{
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class FunctionAttribute(string name) : Attribute
    {
        public string Name { get; } = name;
    }

    public enum AuthorizationLevel
    {
        Anonymous,
        User,
        Function,
        System,
        Admin,
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class HttpTriggerAttribute : Attribute
    {
        public HttpTriggerAttribute() { }

        public HttpTriggerAttribute(params string[] methods) { }

        public HttpTriggerAttribute(AuthorizationLevel authLevel) { }

        public HttpTriggerAttribute(AuthorizationLevel authLevel, params string[] methods) { }

        public string? Route { get; set; }
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class QueueTriggerAttribute(string queueName) : Attribute
    {
        public string QueueName { get; } = queueName;

        public string? Connection { get; set; }
    }

    public abstract class FunctionContext
    {
        public abstract string InvocationId { get; }

        public abstract CancellationToken CancellationToken { get; set; }
    }

    public static class FunctionsApplicationInsightsExtensions
    {
        public static IServiceCollection ConfigureFunctionsApplicationInsights(this IServiceCollection services) =>
            throw new NotSupportedException("compile-only stub");
    }
}

namespace Microsoft.Azure.Functions.Worker.Builder
{
    public static class FunctionsApplication
    {
        public static FunctionsApplicationBuilder CreateBuilder(string[] args) => throw new NotSupportedException("compile-only stub");
    }

    public sealed class FunctionsApplicationBuilder : IHostApplicationBuilder
    {
        public IDictionary<object, object> Properties => throw new NotSupportedException();
        public IConfigurationManager Configuration => throw new NotSupportedException();
        public IHostEnvironment Environment => throw new NotSupportedException();
        public ILoggingBuilder Logging => throw new NotSupportedException();
        public IMetricsBuilder Metrics => throw new NotSupportedException();
        public IServiceCollection Services => throw new NotSupportedException();

        public IHost Build() => throw new NotSupportedException("compile-only stub");

        public void ConfigureContainer<TContainerBuilder>(IServiceProviderFactory<TContainerBuilder> factory, Action<TContainerBuilder>? configure = null)
            where TContainerBuilder : notnull => throw new NotSupportedException();
    }

    public static class FunctionsApplicationBuilderAspNetCoreExtensions
    {
        public static FunctionsApplicationBuilder ConfigureFunctionsWebApplication(this FunctionsApplicationBuilder builder) =>
            throw new NotSupportedException("compile-only stub");
    }
}

namespace Microsoft.Extensions.DependencyInjection
{
    public static class ApplicationInsightsExtensions
    {
        public static IServiceCollection AddApplicationInsightsTelemetryWorkerService(this IServiceCollection services) =>
            throw new NotSupportedException("compile-only stub");
    }
}
