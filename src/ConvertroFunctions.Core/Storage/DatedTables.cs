using System.Collections.Concurrent;
using System.Globalization;
using Azure.Data.Tables;

namespace ConvertroFunctions.Core.Storage;

/// <summary>
/// A family of tables named by a date (<c>Events20261202</c>, <c>Stats202612</c>, <c>Links202612</c>):
/// data that expires is dropped a whole table at a time, never row by row (docs/decisions.md).
/// One place knows how such names are made, read back, created and dropped.
/// </summary>
public sealed class DatedTables(string prefix, bool monthly)
{
    /// <summary>Tables created so far, by storage account endpoint and name: one process may talk to
    /// several accounts (the tests run several Azurites), and a family is shared by all of them.</summary>
    private readonly ConcurrentDictionary<(string Account, string Name), Lazy<Task>> _created = new();

    public string Prefix { get; } = prefix;

    private string Format => monthly ? "yyyyMM" : "yyyyMMdd";

    public string NameFor(DateTimeOffset at) => Prefix + at.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>The first day a table covers, or null for a table that is not of this family.</summary>
    public DateOnly? StartOf(string tableName) =>
        tableName.Length == Prefix.Length + Format.Length && tableName.StartsWith(Prefix, StringComparison.Ordinal)
        && DateOnly.TryParseExact(tableName[Prefix.Length..] + (monthly ? "01" : ""), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            ? start : null;

    /// <summary>The day after the last day a table covers.</summary>
    public DateOnly EndOf(DateOnly start) => monthly ? start.AddMonths(1) : start.AddDays(1);

    /// <summary>Creates a table the first time this process asks for it (a failed attempt is tried again next time).</summary>
    public async Task<TableClient> CreatedAsync(TableServiceClient tables, string name, CancellationToken ct)
    {
        var key = (tables.Uri.AbsoluteUri, name);
        var ready = _created.GetOrAdd(key, k => new Lazy<Task>(() => tables.CreateTableIfNotExistsAsync(k.Name)));
        try
        {
            await ready.Value.WaitAsync(ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            _created.TryRemove(new KeyValuePair<(string, string), Lazy<Task>>(key, ready));
            throw;
        }
        return tables.GetTableClient(name);
    }

    /// <summary>Drops every table of the family whose last day is before <paramref name="cutoff"/>.</summary>
    public async Task<IReadOnlyList<string>> DropEndedBeforeAsync(TableServiceClient tables, DateOnly cutoff, CancellationToken ct)
    {
        var dropped = new List<string>();
        await foreach (var table in tables.QueryAsync(filter: (string?)null, cancellationToken: ct))
        {
            if (StartOf(table.Name) is { } start && EndOf(start) <= cutoff)
            {
                await tables.DeleteTableAsync(table.Name, ct);
                _created.TryRemove((tables.Uri.AbsoluteUri, table.Name), out _);
                dropped.Add(table.Name);
            }
        }
        return dropped;
    }
}
