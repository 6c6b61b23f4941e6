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

    /// <summary>The table for <paramref name="name"/>, created the first time this process asks for it (<see cref="KnownTables"/>).</summary>
    public Task<TableClient> CreatedAsync(TableServiceClient tables, string name, CancellationToken ct) =>
        KnownTables.EnsureAsync(tables.GetTableClient(name), ct);

    /// <summary>The table turned out to be missing (someone deleted it): the next <see cref="CreatedAsync"/> creates it again.</summary>
    public void Forget(TableServiceClient tables, string name) => KnownTables.Forget(tables.GetTableClient(name));

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
