using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Monitoring;

/// <summary>
/// The <c>Monitoring</c> configuration section (env <c>Monitoring__*</c>): how often the queues and
/// the dead letters are measured, and the thresholds the console's banner uses. infra/ sets the
/// thresholds from the same parameters as its alert rules, so the console and the alerts agree
/// (docs/operations.md, "Alerts and what to do").
/// </summary>
public sealed class MonitoringOptions
{
    public const string SectionName = "Monitoring";

    /// <summary>How often each instance measures both queues (length, oldest waiting message).</summary>
    [Range(1, 3600)]
    public int IntervalSeconds { get; set; } = 60;

    /// <summary>How often each instance counts the stored dead letters: one Table request per 1,000 of them.</summary>
    [Range(1, 86_400)]
    public int DeadLetterCountSeconds { get; set; } = 300;

    /// <summary>The banner (and the alert) when the oldest message waiting in segment-events is older than this.</summary>
    [Range(1, 10_080)]
    public int OldestMessageMinutes { get; set; } = 30;

    /// <summary>What "recently" means for dead letters: the banner's (and the alert's) window.</summary>
    [Range(1, 2880)]
    public int DeadLetterWindowMinutes { get; set; } = 60;

    /// <summary>The banner (and the alert) when more dead letters than this arrived within the window.</summary>
    [Range(0, int.MaxValue)]
    public int DeadLettersThreshold { get; set; }

    /// <summary>The banner (and the alert) when segment-events-poison holds more messages than this.</summary>
    [Range(0, int.MaxValue)]
    public int PoisonMessagesThreshold { get; set; }
}

/// <summary>Checks <see cref="MonitoringOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
public sealed partial class MonitoringOptionsValidator : IValidateOptions<MonitoringOptions>;
