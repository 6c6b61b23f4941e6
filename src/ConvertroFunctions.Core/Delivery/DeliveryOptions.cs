using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Delivery;

/// <summary>The <c>Delivery</c> configuration section (env <c>Delivery__*</c>).</summary>
public sealed class DeliveryOptions : IValidatableObject
{
    public const string SectionName = "Delivery";

    /// <summary>30 s, 1 min, 5 min, 15 min, 30 min, 1 h, 2 h: 8 attempts over about 4 hours, like Segment.</summary>
    public const string DefaultRetryDelays = "00:00:30,00:01:00,00:05:00,00:15:00,00:30:00,01:00:00,02:00:00";

    /// <summary>
    /// Waits between attempts after a transient failure, comma-separated TimeSpans. One more
    /// attempt than there are delays is made; then the event is dead-lettered.
    /// </summary>
    public string RetryDelays { get; set; } = DefaultRetryDelays;

    /// <summary>Events of one queue message delivered at once.</summary>
    [Range(1, 64)]
    public int MaxParallelEvents { get; set; } = 8;

    /// <summary>
    /// When the host stops (a deploy, a scale-in), how long calls already on the wire may take to
    /// finish before they are abandoned and their events handed back; well inside the 30 s a host
    /// is given to stop.
    /// </summary>
    [Range(1, 25)]
    public int ShutdownGraceSeconds { get; set; } = 15;

    public TimeSpan ShutdownGrace => TimeSpan.FromSeconds(ShutdownGraceSeconds);

    /// <summary>The first wait of a message handed back because Table storage was unavailable; it doubles with each wait.</summary>
    public static readonly TimeSpan FirstStorageWait = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait for Table storage: a message looks again at least this often while an outage lasts.</summary>
    public static readonly TimeSpan MaxStorageWait = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a run holds its message while the queue refuses the hand-back (the whole storage
    /// account out of reach): within the 10-minute lease the host's listener takes on a message and
    /// renews every 5 minutes, even when the renewal before the outage was the last to succeed.
    /// </summary>
    public static readonly TimeSpan StorageHold = TimeSpan.FromMinutes(3);

    /// <summary>
    /// How long a message waits after its <paramref name="waits"/>-th hand-back for a Table outage:
    /// 5 s doubling to a minute, plus up to 10% (<paramref name="jitter"/>), or longer when storage said so.
    /// </summary>
    public static TimeSpan StorageWait(int waits, double jitter, TimeSpan? retryAfter)
    {
        var wait = TimeSpan.FromTicks(Math.Min(FirstStorageWait.Ticks << Math.Clamp(waits - 1, 0, 16), MaxStorageWait.Ticks));
        wait *= 1 + Math.Clamp(jitter, 0, 0.1);
        return retryAfter is { } asked && asked > wait ? asked : wait;
    }

    public IReadOnlyList<TimeSpan> RetrySchedule => Parse(RetryDelays, out _);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        Parse(RetryDelays, out var error);
        if (error is not null)
        {
            yield return new ValidationResult($"Delivery:RetryDelays {error}", [nameof(RetryDelays)]);
        }
    }

    private static List<TimeSpan> Parse(string text, out string? error)
    {
        error = null;
        var delays = new List<TimeSpan>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TimeSpan.TryParse(part, CultureInfo.InvariantCulture, out var delay) || delay <= TimeSpan.Zero || delay > TimeSpan.FromDays(7))
            {
                error = $"must be comma-separated TimeSpans between 00:00:00.001 and 7.00:00:00, e.g. 00:00:30,00:02:00; '{part}' is not.";
                return [];
            }
            delays.Add(delay);
        }
        return delays;
    }
}

/// <summary>Checks <see cref="DeliveryOptions"/> at start (source-generated from its annotations and its own checks).</summary>
[OptionsValidator]
public sealed partial class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>;
