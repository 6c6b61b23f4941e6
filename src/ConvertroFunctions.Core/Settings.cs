using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.Core.Ingest;
using ConvertroFunctions.Core.Ledger;
using ConvertroFunctions.Core.Monitoring;
using ConvertroFunctions.Core.Privacy;
using ConvertroFunctions.Core.Stats;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core;

/// <summary>
/// Every settings section both hosts read (docs/architecture.md, "Configuration"): each options class
/// lives beside its feature, is bound with <c>BindConfiguration</c> and checked at start by its
/// source-generated validator (<c>[OptionsValidator]</c>: data annotations and, where the class has
/// them, its own checks), so a bad value stops the start with an <see cref="OptionsValidationException"/>
/// naming the setting, which LocalHost prints as one line.
/// </summary>
public static class Settings
{
    public static IServiceCollection AddConvertroSettings(this IServiceCollection services)
    {
        Add<ConvertroOptions, ConvertroOptionsValidator>(services, ConvertroOptions.SectionName);
        Add<IngestOptions, IngestOptionsValidator>(services, IngestOptions.SectionName);
        Add<DeliveryOptions, DeliveryOptionsValidator>(services, DeliveryOptions.SectionName);
        Add<LedgerOptions, LedgerOptionsValidator>(services, LedgerOptions.AliasSectionName).BindConfiguration(LedgerOptions.SectionName);
        Add<WorkspaceOptions, WorkspaceOptionsValidator>(services, WorkspaceOptions.SectionName);
        Add<StatsOptions, StatsOptionsValidator>(services, StatsOptions.SectionName);
        Add<PrivacyOptions, PrivacyOptionsValidator>(services, PrivacyOptions.SectionName);
        Add<DeadLetterOptions, DeadLetterOptionsValidator>(services, DeadLetterOptions.SectionName);
        Add<MonitoringOptions, MonitoringOptionsValidator>(services, MonitoringOptions.SectionName);
        return services;
    }

    private static OptionsBuilder<TOptions> Add<TOptions, TValidator>(IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return services.AddOptionsWithValidateOnStart<TOptions>().BindConfiguration(section);
    }
}
