using Azure.Data.Tables;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.Core.Privacy;

/// <summary>One deletion, as the audit keeps it: never the raw user id.</summary>
public sealed record DeletionRecord(
    string WorkspaceId, string UserKey, string MessageId, DateTimeOffset At, int DeadLettersPurged, int LinksFound, bool ErasedInConvertro);

/// <summary>
/// <c>PrivacyAudit</c>: one row per Segment deletion request handled (PartitionKey the workspace,
/// RowKey newest first), with the user's keyed hash, the time and what was purged: proof that a
/// deletion was honoured without keeping who it was about.
/// </summary>
public sealed class PrivacyAudit(StorageClients clients)
{
    public const string TableName = "PrivacyAudit";

    public TableClient Table { get; } = clients.Tables.GetTableClient(TableName);

    public Task RecordAsync(DeletionRecord deletion, CancellationToken ct) =>
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
