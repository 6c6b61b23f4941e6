using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.Workspaces;

namespace ConvertroFunctions.Core.Privacy;

/// <summary>
/// Delivery's privacy bookkeeping, in one step (docs/architecture.md, "Personal data"): before the
/// calls of the events this copy owns go out, the visitor codes their <c>users</c> calls link are
/// remembered (a crash never leaves a sent link unrecorded), and a Segment delete purges the user's
/// stored data and becomes its erase calls; once those all succeeded, the links they erased are
/// forgotten. Only an owner does any of it: a copy the ledger turned away purges nothing.
/// </summary>
public sealed class DeliveryPrivacy(UserDeletion deletion, LinkStore links)
{
    /// <summary>Remembers the links of the owned events' users calls, before the calls are sent.</summary>
    public Task RecordLinksAsync(string workspaceId, IEnumerable<MappingResult> owned, CancellationToken ct) =>
        links.RecordAsync(workspaceId, [.. owned.SelectMany(m => m.Calls)
            .Where(c => c is { Endpoint: ConvertroEndpoint.Users, UserId: not null })
            .Select(c => new UserLink(c.UserId!, ConvertroWire.Sid(c.DeviceId)))], ct);

    /// <summary>
    /// An owned Segment delete: purges (unless an earlier attempt did: <paramref name="firstAttempt"/>
    /// false) and answers the mapping to carry out — the erase calls, or the <c>user_deleted</c> skip
    /// when there is nothing to erase — with the erasure to finish once its calls succeeded.
    /// </summary>
    public async Task<(MappingResult Mapping, UserErasure Erasure)> DeleteAsync(
        WorkspaceSettings settings, string messageId, MappingResult mapping, DateTimeOffset now, bool firstAttempt, CancellationToken ct)
    {
        var erasure = await deletion.PurgeAsync(settings, messageId, mapping.DeletedUserId!, now.ToUnixTimeSeconds(), purge: firstAttempt, ct);
        return (erasure.Calls.Count > 0 ? MappingResult.Send([.. erasure.Calls]) with { DeletedUserId = mapping.DeletedUserId } : mapping, erasure);
    }

    /// <summary>Every erase call of the deletion succeeded.</summary>
    public Task ErasedAsync(string workspaceId, UserErasure erasure, CancellationToken ct) => deletion.ErasedAsync(workspaceId, erasure, ct);
}
