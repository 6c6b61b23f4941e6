namespace ConvertroFunctions.Core.Storage;

/// <summary>
/// What Table storage accepts as a PartitionKey or RowKey: at most 1 KiB, none of / \ # ? and no
/// control characters. Checked before a write whose key comes from outside (a foreign queue
/// message), since the emulator accepts some keys Azure refuses when they travel in the URL.
/// </summary>
public static class TableKeys
{
    public static bool IsValid(string key) =>
        key.Length is > 0 and <= 512 && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));

    /// <exception cref="ArgumentException">The key is not one Table storage accepts.</exception>
    public static string Checked(string key, string what) => IsValid(key)
        ? key
        : throw new ArgumentException($"The {what} '{key}' cannot be a Table storage key (at most 512 characters, none of / \\ # ? or control characters).", what);
}
