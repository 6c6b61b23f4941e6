using System.Runtime.ExceptionServices;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Azure.WebJobs.Host.Timers;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.LocalHost.Queues;

/// <summary>
/// Runs LocalHost's queue triggers in the Functions host's own components: a WebJobs job host with
/// the Storage Queues extension, configured from host.json's <c>extensions.queues</c> (the one file
/// both hosts read), against <c>AzureWebJobsStorage</c>. Receiving, the 10-minute message lease and
/// its renewal, visibility on failure, batch size and threshold, polling back-off, poison handling and
/// shutdown are the extension's, not LocalHost's.
/// <para>
/// What is LocalHost's is what the Functions host does around its job host: the job host runs in a
/// host of its own, and when its listener stops on an error it does not handle itself (the queue
/// service unreachable past the storage client's retries), the Functions host logs it and starts a
/// new job host; so does this, after a growing pause (docs/decisions.md, "LocalHost runs the host's
/// queue listener"). On shutdown the listener stops taking messages and cancels the running
/// functions, which hand their work back (enqueue a copy, complete) within the shutdown timeout.
/// </para>
/// </summary>
public sealed partial class QueueTriggerHost(
    JobHostFunctions functions, IConfiguration configuration, IHostEnvironment environment,
    ILoggerFactory loggerFactory, ILogger<QueueTriggerHost> logger) : BackgroundService
{
    /// <summary>host.json's queue settings as LocalHost's configuration holds them (FunctionsStyleConfiguration).</summary>
    public const string QueuesSection = "AzureFunctionsJobHost:extensions:queues";

    /// <summary>Within the app's 25 s shutdown: the job host's functions hand their messages back first.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(24);

    private static readonly TimeSpan FirstRestartDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRestartDelay = TimeSpan.FromSeconds(30);

    /// <summary>A job host that ran this long without failing starts its successor's pause afresh.</summary>
    private static readonly TimeSpan HealthyRun = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = FirstRestartDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            var fault = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
            var host = Build(fault);
            var started = TimeProvider.System.GetTimestamp();
            try
            {
                await host.StartAsync(stoppingToken);
                await Task.WhenAny(fault.Task, Task.Delay(Timeout.Infinite, stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping while the job host starts: stopped below.
            }
            catch (Exception ex)
            {
                fault.TrySetResult(ex);
            }
            using (var stop = new CancellationTokenSource(StopTimeout))
            {
                await host.StopAsync(stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            host.Dispose();
            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            delay = TimeProvider.System.GetElapsedTime(started) > HealthyRun ? FirstRestartDelay : delay;
            LogRestarting(logger, fault.Task.Result, delay.TotalSeconds);
            await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastRestartDelay.Ticks));
        }
    }

    /// <summary>
    /// Binds host.json's <c>extensions.queues</c> into the extension's own options, whose setters
    /// check each value; returns one message per value refused, naming the setting
    /// (<see cref="QueueSettingsValidator"/> turns them into LocalHost's start error).
    /// </summary>
    public static IReadOnlyList<string> Bind(IConfiguration configuration, QueuesOptions options)
    {
        var problems = new List<string>();
        foreach (var setting in configuration.GetSection(QueuesSection).GetChildren())
        {
            try
            {
                new ConfigurationBuilder().AddInMemoryCollection([new(setting.Key, setting.Value)]).Build().Bind(options);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or System.Reflection.TargetInvocationException)
            {
                problems.Add($"host.json extensions.queues.{setting.Key} ('{setting.Value}') is not valid: {ex.GetBaseException().Message}");
            }
        }
        return problems;
    }

    private IHost Build(TaskCompletionSource<Exception> fault) =>
        new HostBuilder()
            .UseEnvironment(environment.EnvironmentName)
            .ConfigureAppConfiguration(c => c.AddConfiguration(configuration))
            .ConfigureLogging(l => l.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(new ForwardingLoggerProvider(loggerFactory)))
            .ConfigureWebJobs(webJobs => webJobs.AddAzureStorageQueues(o => Bind(configuration, o))) // checked at LocalHost's start
            .ConfigureServices(s =>
            {
                s.Configure<HostOptions>(o => o.ShutdownTimeout = StopTimeout);
                s.AddSingleton<ITypeLocator>(functions);
                s.AddSingleton<IJobActivator>(functions);
                s.AddSingleton<IWebJobsExceptionHandlerFactory>(new FaultReporter(fault));
            })
            .Build();

    /// <summary>
    /// Instead of the WebJobs SDK's default, which rethrows on a new thread and ends the process,
    /// reports the fault so <see cref="ExecuteAsync"/> restarts the job host, as the Functions host does.
    /// </summary>
    private sealed class FaultReporter(TaskCompletionSource<Exception> fault) : IWebJobsExceptionHandlerFactory, IWebJobsExceptionHandler
    {
        public IWebJobsExceptionHandler Create(IHost jobHost) => this;

        public Task OnTimeoutExceptionAsync(ExceptionDispatchInfo exceptionInfo, TimeSpan timeoutGracePeriod) =>
            OnUnhandledExceptionAsync(exceptionInfo);

        public Task OnUnhandledExceptionAsync(ExceptionDispatchInfo exceptionInfo)
        {
            fault.TrySetResult(exceptionInfo.SourceException);
            return Task.CompletedTask;
        }
    }

    /// <summary>The job host logs through LocalHost's loggers, so its filters, console and test captures apply.</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

        public void Dispose()
        {
            // LocalHost owns the target factory.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The queue listener stopped on an error it does not handle; starting a new one in {DelaySeconds} s, as the Functions host restarts its job host")]
    private static partial void LogRestarting(ILogger logger, Exception exception, double delaySeconds);
}

/// <summary>
/// The object whose <c>[FunctionName]</c> methods the job host runs: <see cref="QueueTriggers"/> in
/// LocalHost (tests give their own, on their own queues). One instance serves every invocation.
/// </summary>
public sealed class JobHostFunctions(object functions) : ITypeLocator, IJobActivator
{
    public IReadOnlyList<Type> GetTypes() => [functions.GetType()];

    public T CreateInstance<T>() =>
        functions is T instance ? instance : throw new InvalidOperationException($"The job host has no {typeof(T)}.");
}

/// <summary>
/// Refuses LocalHost's start when host.json's queue settings hold a value the extension refuses,
/// as an <see cref="OptionsValidationException"/> (LocalHost's one-line start error).
/// </summary>
public sealed class QueueSettingsValidator(IConfiguration configuration) : IValidateOptions<QueuesOptions>
{
    public ValidateOptionsResult Validate(string? name, QueuesOptions options) =>
        QueueTriggerHost.Bind(configuration, new QueuesOptions()) is { Count: > 0 } problems
            ? ValidateOptionsResult.Fail(problems)
            : ValidateOptionsResult.Success;
}
