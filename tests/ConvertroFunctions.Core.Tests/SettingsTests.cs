using ConvertroFunctions.Core;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.Core.Ledger;
using ConvertroFunctions.Core.Stats;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Tests;

/// <summary>Every settings section bound from configuration and checked by its generated validator.</summary>
public sealed class SettingsTests
{
    private static ServiceProvider Build(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddConvertroSettings().BuildServiceProvider();
    }

    [Fact]
    public void Ledger_OnlyTheOldIdempotencySection_IsStillRead()
    {
        using var services = Build(("Idempotency:LeaseSeconds", "30"), ("Idempotency:Enabled", "false"));

        var ledger = services.GetRequiredService<IOptions<LedgerOptions>>().Value;

        Assert.Equal(30, ledger.LeaseSeconds);
        Assert.False(ledger.Enabled);
    }

    [Fact]
    public void Ledger_BothSections_LedgerWinsWhereBothSetAValue()
    {
        using var services = Build(("Idempotency:LeaseSeconds", "30"), ("Ledger:LeaseSeconds", "45"), ("Idempotency:Partitions", "4"));

        var ledger = services.GetRequiredService<IOptions<LedgerOptions>>().Value;

        Assert.Equal(45, ledger.LeaseSeconds);
        Assert.Equal(4, ledger.Partitions);
    }

    [Theory]
    [InlineData("Stats:FlushSeconds", "0", "FlushSeconds")]
    [InlineData("Ledger:Partitions", "65", "Partitions")]
    [InlineData("Delivery:RetryDelays", "00:00:30,later", "Delivery:RetryDelays must be comma-separated TimeSpans")]
    [InlineData("Convertro:BaseUrl", "not a url", "Convertro:BaseUrl")]
    public void Validator_BadValue_RefusedNamingTheSetting(string key, string value, string expected)
    {
        using var services = Build((key, value));

        var error = Assert.Throws<OptionsValidationException>(() => ResolveAll(services));

        Assert.Contains(error.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_Defaults_AllValid()
    {
        using var services = Build();

        ResolveAll(services);

        Assert.Equal(15, services.GetRequiredService<IOptions<StatsOptions>>().Value.FlushSeconds);
        Assert.NotEmpty(services.GetRequiredService<IOptions<DeliveryOptions>>().Value.RetrySchedule);
    }

    /// <summary>What ValidateOnStart does when a host starts: every registered options class, validated.</summary>
    private static void ResolveAll(ServiceProvider services)
    {
        foreach (var type in typeof(Settings).Assembly.GetTypes().Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal) && t.IsClass && !t.IsAbstract))
        {
            var options = services.GetService(typeof(IOptions<>).MakeGenericType(type));
            try
            {
                _ = options?.GetType().GetProperty("Value")!.GetValue(options);
            }
            catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            }
        }
    }
}
