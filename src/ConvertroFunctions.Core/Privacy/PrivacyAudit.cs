using Azure.Data.Tables;
using ConvertroFunctions.Core.Audit;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.Core.Privacy;

/// <summary>One deletion, as the audit keeps it: never the raw user id.</summary>
public sealed record DeletionRecord(
    string WorkspaceId, string UserKey, string MessageId, DateTimeOffset At, int DeadLettersPurged, int LinksFound, bool ErasedInConvertro);

/// <summary>
/// <c>PrivacyAudit</c>: one row per Segment deletion request handled (PartitionKey the workspace,
/// RowKey newest first), with the user's keyed hash, the time and what was purged: proof that a
/// deletion was honoured without keeping who it was about. The audit trail lists it too
/// (<c>user_purged</c>, without the user's hash).
/// </summary>
public sealed class PrivacyAudit(StorageClients clients, AuditTrail trail)
{
    public const string TableName = "PrivacyAudit";

    public TableClient Table { get; } = clients.Tables.GetTableClient(TableName);

    public async Task RecordAsync(DeletionRecord deletion, CancellationToken ct)
    {
        await AddAsync(deletion, ct);
        await trail.RecordAsync(AuditCaller.SegmentDelete, deletion.WorkspaceId, [new AuditChange(AuditActions.UserPurged,
            $"deletion request {deletion.MessageId}: {deletion.DeadLettersPurged} dead letter(s) purged, {deletion.LinksFound} visitor code(s) linked" +
            (deletion.ErasedInConvertro ? ", erased in Convertro" : string.Empty))], ct);
    }

    private Task AddAsync(DeletionRecord deletion, CancellationToken ct) =>
        KnownTables.WithTableAsync(Table, () => Table.AddEntityAsync(new TableEntity(deletion.WorkspaceId, DeadLetter.NewId(deletion.At))
        {
            ["UserKey"] = deletion.UserKey,
            ["MessageId"] = deletion.MessageId,
            ["At"] = deletion.At,
            ["DeadLettersPurged"] = deletion.DeadLettersPurged,
            ["LinksFound"] = deletion.LinksFound,
            ["ErasedInConvertro"] = deletion.ErasedInConvertro,
        }, ct), ct);
}
