namespace ConvertroFunctions.Core.Json;

/// <summary>
/// What a text being parsed strictly is, so that each error says where: <see cref="Name"/> starts the
/// message (as a field name does in validation errors), and byte positions count from
/// <see cref="Start"/> in <see cref="Whole"/>, the text the sender sees.
/// </summary>
/// <param name="IsMember">
/// A member of the body's top level (a batch's <c>context</c>): its fields are named under it
/// (<c>context.ip</c>). Fields of a whole event or body are named on their own (<c>userId</c>).
/// </param>
internal readonly record struct JsonSource(string Name, string Whole, int Start, bool IsMember = false)
{
    public static readonly JsonSource Event = new("event", "the event", 0);

    public static readonly JsonSource Body = new("body", "the body", 0);

    public static JsonSource Member(string name, int start) => new(name, "the body", start, IsMember: true);

    /// <summary>The path under which fields are named on their own (see <see cref="UnicodeCheck"/>).</summary>
    public string Root => IsMember ? string.Empty : Name;
}
