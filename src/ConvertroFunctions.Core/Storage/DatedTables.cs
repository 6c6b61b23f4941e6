using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Azure.Data.Tables;

namespace ConvertroFunctions.Core.Storage;

/// <summary>
/// A family of tables named by a date (<c>Events20261202</c>, <c>Stats202612</c>, <c>Links202612</c>):
/// data that expires is dropped a whole table at a time, never row by row (docs/decisions.md).
/// One place knows how such names are made, read back, created and dropped.
/// </summary>
public sealed class DatedTables(string prefix, bool monthly)
{
    /// <summary>Tables created so far, per storage client (one process may talk to several accounts:
    /// the tests run several Azurites, and a family is shared by all of them) and name.</summary>
    private readonly ConditionalWeakTable<TableServiceClient, ConcurrentDictionary<string, Lazy<Task>>> _created = new();

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
        var created = _created.GetOrCreateValue(tables);
        var ready = created.GetOrAdd(name, n => new Lazy<Task>(() => tables.CreateTableIfNotExistsAsync(n)));
        try
        {
            await ready.Value.WaitAsync(ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            created.TryRemove(new KeyValuePair<string, Lazy<Task>>(name, ready));
            throw;
        }
        return tables.GetTableClient(name);
    }

    /// <summary>The table turned out to be missing (someone deleted it): the next <see cref="CreatedAsync"/> creates it again.</summary>
    public void Forget(TableServiceClient tables, string name)
    {
        if (_created.TryGetValue(tables, out var created))
        {
            created.TryRemove(name, out _);
        }
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
                Forget(tables, table.Name);
                dropped.Add(table.Name);
            }
        }
        return dropped;
    }
}
