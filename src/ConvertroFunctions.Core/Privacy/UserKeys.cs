using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.Core.Privacy;

/// <summary>
/// A keyed hash of a user id (HMAC-SHA256, per deployment), so the product can find a user's
/// records (dead letters, visitor-code links, the deletion audit) without storing the raw id. The
/// key is generated once and kept in the <c>Privacy</c> table, so every instance uses the same.
/// </summary>
public sealed class UserKeys(StorageClients clients)
{
    public const string TableName = "Privacy";
    private const string KeyPartition = "keys", KeyRow = "user-hash";

    private readonly SemaphoreSlim _loading = new(1, 1);
    private byte[]? _key;

    /// <summary>32 hex characters naming one user of one workspace.</summary>
    public async Task<string> KeyOfAsync(string workspaceId, string userId, CancellationToken ct)
    {
        var key = _key ?? await LoadAsync(ct);
        var hash = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(workspaceId + "\n" + userId));
        return Convert.ToHexStringLower(hash)[..32];
    }

    private async Task<byte[]> LoadAsync(CancellationToken ct)
    {
        await _loading.WaitAsync(ct);
        try
        {
            if (_key is not null)
            {
                return _key;
            }
            var table = clients.Tables.GetTableClient(TableName);
            await KnownTables.EnsureAsync(table, ct);
            var stored = await table.GetEntityIfExistsAsync<TableEntity>(KeyPartition, KeyRow, cancellationToken: ct);
            if (!stored.HasValue)
            {
                try
                {
                    await table.AddEntityAsync(new TableEntity(KeyPartition, KeyRow) { ["Key"] = RandomNumberGenerator.GetBytes(32) }, ct);
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    // Another instance made it first: use theirs.
                }
                stored = await table.GetEntityIfExistsAsync<TableEntity>(KeyPartition, KeyRow, cancellationToken: ct);
            }
            return _key = stored.Value!.GetBinary("Key");
        }
        finally
        {
            _loading.Release();
        }
    }
}
