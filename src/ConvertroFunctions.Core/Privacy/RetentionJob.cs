using ConvertroFunctions.Core.Audit;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Ledger;
using ConvertroFunctions.Core.Stats;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Privacy;

/// <summary>What one run of the retention job removed.</summary>
public sealed record RetentionResult(
    int DeadLetters, IReadOnlyList<string> LedgerTables, IReadOnlyList<string> StatsTables, IReadOnlyList<string> LinkTables, int AuditRecords = 0);

/// <summary>
/// Keeps personal data no longer than needed (docs/operations.md, "Personal data"): dead letters
/// after <c>DeadLetters__RetentionDays</c> (30), event records after their 24–48 h window, counters
/// after 90 days, visitor-code links after <c>Privacy__LinkRetentionDays</c> (400). Whole tables are
/// dropped where the key scheme allows (ledger, counters, links: one table per day or month); dead
/// letters, one table by contract, are deleted by a range of their time-ordered ids; audit records
/// are kept as long as dead letters, and removed the same way. The Functions
/// app runs it daily on a timer, LocalHost from a hosted service; both call this.
/// </summary>
public sealed partial class RetentionJob(
    DeadLetterStore deadLetters, EventLedger ledger, StatsStore stats, LinkStore links, AuditTrail audit, TimeProvider time,
    IOptions<DeadLetterOptions> options, ILogger<RetentionJob> logger)
{
    /// <summary>Every day at 03:17 UTC (NCRONTAB: second minute hour day month day-of-week).</summary>
    public const string Schedule = "0 17 3 * * *";

    public static readonly TimeSpan StatsRetention = TimeSpan.FromDays(90);

    public async Task<RetentionResult> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var failures = new List<Exception>();
        // Each step on its own: one that fails (storage trouble) does not keep the others from running.
        async Task<T> Step<T>(string what, Func<Task<T>> step, T none)
        {
            try
            {
                return await step();
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                LogStepFailed(logger, ex, what);
                failures.Add(ex);
                return none;
            }
        }
        var result = new RetentionResult(
            await Step("dead letters", () => deadLetters.DeleteOlderThanAsync(now.AddDays(-options.Value.RetentionDays), ct), 0),
            await Step("event ledger tables", () => ledger.DropExpiredAsync(ct), []),
            await Step("counter tables", () => stats.DropBeforeAsync(now - StatsRetention, ct), []),
            await Step("link tables", () => links.DropExpiredAsync(ct), []),
            await Step("audit records", () => audit.DeleteOlderThanAsync(now.AddDays(-options.Value.RetentionDays), ct), 0));
        LogRan(logger, result.DeadLetters, result.LedgerTables.Count, result.StatsTables.Count, result.LinkTables.Count, result.AuditRecords);
        if (failures.Count > 0)
        {
            // The run shows as failed (the timer's next run tries again); what could be removed was.
            throw new AggregateException("The retention job could not finish every step; the next run tries again.", failures);
        }
        return result;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention: could not remove expired {What}; the next run tries again")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string what);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: removed {DeadLetters} dead letter(s) and {Audit} audit record(s); dropped {Ledger} event ledger, {Stats} counter and {Links} link table(s)")]
    private static partial void LogRan(ILogger logger, int deadLetters, int ledger, int stats, int links, int audit);
}
