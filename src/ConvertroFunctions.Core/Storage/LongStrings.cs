using Azure.Data.Tables;

namespace ConvertroFunctions.Core.Storage;

/// <summary>
/// A string property that may outgrow Table storage's 64 KiB per property (32K UTF-16 characters):
/// written as <c>Name</c>, <c>Name1</c>, <c>Name2</c>… of at most <see cref="ChunkChars"/> characters
/// each, read back joined. An entity holds at most 1 MiB in all, so <see cref="MaxChars"/> is the
/// ceiling; a value past it is refused here with a message, before Table storage refuses it.
/// </summary>
public static class LongStrings
{
    public const int ChunkChars = 30_000;

    public const int MaxChunks = 15;

    public const int MaxChars = ChunkChars * MaxChunks;

    public static void Write(TableEntity entity, string name, string value)
    {
        if (value.Length > MaxChars)
        {
            throw new ArgumentException($"{name} holds {value.Length:N0} characters; a table entity holds at most {MaxChars:N0}.", nameof(value));
        }
        for (var i = 0; i * ChunkChars < value.Length || i == 0; i++)
        {
            entity[i == 0 ? name : name + i] = value.Substring(i * ChunkChars, Math.Min(ChunkChars, value.Length - i * ChunkChars));
        }
    }

    public static string? Read(TableEntity entity, string name)
    {
        var first = entity.GetString(name);
        if (first is null || first.Length < ChunkChars)
        {
            return first;
        }
        var joined = new System.Text.StringBuilder(first);
        for (var i = 1; entity.GetString(name + i) is { } next; i++)
        {
            joined.Append(next);
        }
        return joined.ToString();
    }
}
