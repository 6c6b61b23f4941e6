using System.Security.Cryptography;
using System.Text;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.Core.Privacy;

/// <summary>What a deletion erases in Convertro: the user's key, the links found, and one erase call per visitor code.</summary>
public sealed record UserErasure(string UserKey, IReadOnlyList<(string Table, string Sid)> Links, IReadOnlyList<ConvertroCall> Calls);

/// <summary>
/// A Segment <c>delete</c> (mapping rule 8; docs/operations.md, "Personal data"): removes what the
/// product stores for the user in the workspace — the dead letters holding their events — and
/// records it in the audit; then, when the workspace has a <c>gdprApiKey</c> and the deployment a
/// <c>Convertro__GdprApiUrl</c>, returns one erase call per visitor code linked to the user, sent
/// like any other Convertro call (queue, retries, dead letters). The links are forgotten once every
/// erase succeeded (<see cref="ErasedAsync"/>), or at once when nothing is erased in Convertro.
/// </summary>
public sealed partial class UserDeletion(
    DeadLetterStore deadLetters, LinkStore links, UserKeys keys, PrivacyAudit audit, ConvertroTarget target,
    TimeProvider time, ILogger<UserDeletion> logger)
{
    /// <summary>The namespace of erase request ids (a name-based UUID of workspace, messageId and sid).</summary>
    private static readonly Guid RequestIdNamespace = new("0d6b0c0e-5a8a-4b5e-9f3e-6c1a2b7d4e90");

    /// <param name="purge">
    /// False for a retry of the same deletion (its erases failed before): the purge and its audit
    /// row were done by the first attempt; only the erase calls are worked out again.
    /// </param>
    /// <returns>The erase calls to send (none without the GDPR API) and the links they erase.</returns>
    public async Task<UserErasure> PurgeAsync(
        WorkspaceSettings settings, string messageId, string userId, long timestamp, bool purge, CancellationToken ct)
    {
        var ws = settings.WorkspaceId;
        var userKey = await keys.KeyOfAsync(ws, userId, ct);
        var found = await links.LinksAsync(ws, userKey, ct);
        var erase = target.ErasesFor(settings);
        if (purge)
        {
            var purged = await deadLetters.PurgeUserAsync(ws, userKey, ct);
            if (!erase)
            {
                await links.ForgetAsync(ws, userKey, found, ct);
            }
            await audit.RecordAsync(new DeletionRecord(ws, userKey, messageId, time.GetUtcNow(), purged, found.Count, erase && found.Count > 0), ct);
            LogPurged(logger, messageId, ws, purged, found.Count, erase);
        }
        return erase
            ? new UserErasure(userKey, found, [.. found.Select(l => l.Sid).Distinct().Select(sid => new ConvertroCall(
                ConvertroEndpoint.Erase, settings.ClientName, settings.SiteId, string.Empty, RequestId(ws, messageId, sid), timestamp, Sid: sid))])
            : new UserErasure(userKey, [], []);
    }

    /// <summary>
    /// Every erase of the deletion succeeded: the links they erased are no longer needed. Exactly
    /// those: a link written meanwhile (the user came back on a new device) was not erased, and stays
    /// for the next deletion to find.
    /// </summary>
    public Task ErasedAsync(string workspaceId, UserErasure erasure, CancellationToken ct) =>
        links.ForgetAsync(workspaceId, erasure.UserKey, erasure.Links, ct);

    /// <summary>A name-based (version 5) UUID: a retried erase repeats the same request id.</summary>
    public static string RequestId(string workspaceId, string messageId, string sid)
    {
        Span<byte> ns = stackalloc byte[16];
        RequestIdNamespace.TryWriteBytes(ns, bigEndian: true, out _);
        var name = Encoding.UTF8.GetBytes($"{workspaceId}\n{messageId}\n{sid}");
        var hash = SHA1.HashData([.. ns, .. name]);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion request {MessageId} of workspace {WorkspaceId}: purged {DeadLetters} dead letter(s); {Links} visitor code(s) linked; erase in Convertro: {Erase}")]
    private static partial void LogPurged(ILogger logger, string messageId, string workspaceId, int deadLetters, int links, bool erase);
}
