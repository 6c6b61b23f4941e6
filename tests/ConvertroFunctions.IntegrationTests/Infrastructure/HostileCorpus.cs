using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>One hostile request: what kind, the exact bytes, and how it is signed.</summary>
public sealed record HostileCase(string Kind, byte[] Body, string? ContentType = "application/json", Signing Signing = Signing.None);

public enum Signing
{
    /// <summary>No X-Signature (for a workspace without a secret).</summary>
    None,

    /// <summary>A correct HMAC-SHA1 of the body.</summary>
    Valid,

    /// <summary>A wrong X-Signature, or none, for a workspace that requires one.</summary>
    Wrong,
}

/// <summary>
/// A deterministic corpus of malformed and mutated Segment payloads (seeded, so a failure can be
/// reproduced): truncated JSON, wrong types in every field, huge strings, deep nesting, invalid
/// UTF-8, duplicate keys, oversized bodies, garbage, byte flips, wrong content types, bad signatures.
/// </summary>
public static class HostileCorpus
{
    public static List<HostileCase> Generate(int seed, int maxBodyBytes)
    {
        var random = new Random(seed);
        var bases = Bases();
        var cases = new List<HostileCase>();

        // Truncated JSON: every base cut at many points.
        foreach (var body in bases.Select(Encoding.UTF8.GetBytes))
        {
            for (var i = 0; i < 200; i++)
            {
                cases.Add(new("truncated", body[..random.Next(0, body.Length - 1)]));
            }
        }

        // Wrong types in every field (at every depth) of every single event.
        JsonNode?[] wrong = [null, 0, -1, 1.5e308, true, false, "", "x", new JsonArray(), new JsonObject(), new JsonArray(1, "a"),
            new JsonObject { ["a"] = 1 }, "\u0000", "9999-99-99T99:99:99Z", new string('9', 400)];
        foreach (var template in bases.Where(b => b.StartsWith('{')).Select(b => JsonNode.Parse(b)!))
        {
            foreach (var path in Paths(template))
            {
                foreach (var value in wrong)
                {
                    var copy = template.DeepClone();
                    Set(copy, path, value?.DeepClone());
                    cases.Add(new("wrong type at " + string.Join('.', path), Encoding.UTF8.GetBytes(copy.ToJsonString())));
                }
            }
        }

        // Huge strings, under and over the body limit.
        foreach (var size in new[] { 1_000, 10_000, maxBodyBytes / 2, maxBodyBytes - 300, maxBodyBytes + 1, maxBodyBytes * 3 })
        {
            foreach (var field in new[] { "event", "messageId", "userId", "timestamp", "type" })
            {
                var e = JsonNode.Parse(bases[0])!;
                e[field] = new string('a', size);
                cases.Add(new("huge " + field, Encoding.UTF8.GetBytes(e.ToJsonString())));
            }
        }

        // Deep nesting, at the top and inside properties.
        foreach (var depth in new[] { 10, 60, 63, 64, 65, 100, 1_000, 10_000, 100_000 })
        {
            var nested = new string('[', depth) + new string(']', depth);
            cases.Add(new("deep top " + depth, Encoding.UTF8.GetBytes(nested)));
            cases.Add(new("deep properties " + depth, Encoding.UTF8.GetBytes(bases[0].Replace("\"properties\":{", "\"properties\":{\"deep\":" + nested + ","))));
            var objects = string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
            cases.Add(new("deep objects " + depth, Encoding.UTF8.GetBytes(objects)));
        }

        // Invalid UTF-8 and lone surrogates inside strings.
        byte[][] badUtf8 = [[0x80], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF], [0xFF], [0xFE, 0xFF]];
        foreach (var body in bases.Select(Encoding.UTF8.GetBytes))
        {
            for (var i = 0; i < 100; i++)
            {
                var quote = Array.IndexOf(body, (byte)'"', random.Next(body.Length / 2));
                var at = quote < 0 ? body.Length / 2 : quote + 1;
                cases.Add(new("invalid UTF-8", [.. body[..at], .. badUtf8[random.Next(badUtf8.Length)], .. body[at..]]));
            }
            cases.Add(new("lone surrogate", Encoding.UTF8.GetBytes(ReplaceFirstValue(Encoding.UTF8.GetString(body), "\\ud800"))));
            cases.Add(new("surrogate in a property name", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\"type\"", "\"ty\\udbffpe\""))));
            cases.Add(new("reversed surrogates", Encoding.UTF8.GetBytes(ReplaceFirstValue(Encoding.UTF8.GetString(body), "\\udc00\\ud800"))));
        }

        // Duplicate keys, at the top and nested.
        foreach (var key in new[] { "type", "messageId", "event", "userId", "timestamp", "properties", "context", "integrations" })
        {
            foreach (var dup in new[] { "\"identify\"", "\"other\"", "null", "1", "{}", "[]" })
            {
                cases.Add(new("duplicate " + key, Encoding.UTF8.GetBytes(bases[0].Insert(1, $"\"{key}\":{dup},"))));
            }
        }
        cases.Add(new("duplicate device.id", Encoding.UTF8.GetBytes(bases[0].Replace("\"device\":{", "\"device\":{\"id\":\"a\","))));
        cases.Add(new("duplicate batch", Encoding.UTF8.GetBytes("{\"batch\":[],\"batch\":" + bases[^1].Split(":", 2)[1])));

        // Byte flips of valid bodies.
        foreach (var body in bases.Select(Encoding.UTF8.GetBytes))
        {
            for (var i = 0; i < 600; i++)
            {
                var flipped = (byte[])body.Clone();
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
                }
                cases.Add(new("byte flip", flipped));
            }
        }

        // Garbage, empties, non-object JSON, and wrong content types.
        for (var i = 0; i < 1_200; i++)
        {
            cases.Add(new("garbage", RandomNumberGenerator.GetBytes(random.Next(0, 2_000))));
        }
        foreach (var text in new[] { "", " ", "\n", "null", "true", "1", "\"str\"", "[]", "{}", "[[]]", "[null]", "[1,2]", "{\"batch\":null}", "{\"batch\":{}}", "\uFEFF{}" })
        {
            cases.Add(new("not an event: " + text.Trim(), Encoding.UTF8.GetBytes(text)));
        }
        foreach (var type in new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/jsonp", "json", null })
        {
            foreach (var body in bases.Take(10))
            {
                cases.Add(new("content type " + (type ?? "none"), Encoding.UTF8.GetBytes(body), type));
            }
        }

        // Oversized bodies (plain padding past the limit).
        for (var i = 0; i < 10; i++)
        {
            cases.Add(new("oversized", Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Repeat(bases[0], maxBodyBytes / bases[0].Length + 1 + i)) + "]")));
        }

        // Signed mutations: a valid signature over a malformed body must still get 400, not 202.
        foreach (var c in cases.Where((_, i) => i % 10 == 0).ToList())
        {
            cases.Add(c with { Kind = "signed " + c.Kind, Signing = Signing.Valid });
        }

        // Wrong or missing signatures over valid and invalid bodies.
        foreach (var body in bases)
        {
            for (var i = 0; i < 100; i++)
            {
                cases.Add(new("bad signature", Encoding.UTF8.GetBytes(body), Signing: Signing.Wrong));
            }
        }
        return cases;
    }

    /// <summary>Valid bodies to mutate: each event type, both batch shapes.</summary>
    private static List<string> Bases()
    {
        var order = Segment.Track("b-order", "Order Completed", new JsonObject { ["order_id"] = "o-1", ["total"] = 12.5, ["repeat"] = true });
        var install = Segment.Track("b-install", "Application Installed");
        order["integrations"] = new JsonObject { ["All"] = true };
        return
        [
            Segment.Track("b-track", "Signed Up", new JsonObject { ["revenue"] = 9.99, ["currency"] = "USD" }).ToJsonString(),
            Segment.Identify("b-identify").ToJsonString(),
            order.ToJsonString(),
            install.ToJsonString(),
            Segment.Page("b-page").ToJsonString(),
            Segment.Array(Segment.Identify("b-arr-1"), Segment.Track("b-arr-2", "Signed Up")),
            new JsonObject
            {
                ["batch"] = new JsonArray(Segment.Identify("b-batch-1"), Segment.Track("b-batch-2", "Signed Up")),
                ["context"] = new JsonObject { ["device"] = new JsonObject { ["id"] = "d-2" } },
            }.ToJsonString(),
        ];
    }

    private static IEnumerable<string[]> Paths(JsonNode node, string[]? prefix = null)
    {
        prefix ??= [];
        if (node is not JsonObject obj)
        {
            yield break;
        }
        foreach (var (key, value) in obj)
        {
            string[] path = [.. prefix, key];
            yield return path;
            foreach (var inner in Paths(value!, path))
            {
                yield return inner;
            }
        }
    }

    private static void Set(JsonNode root, string[] path, JsonNode? value)
    {
        var parent = root;
        foreach (var key in path[..^1])
        {
            parent = parent[key]!;
        }
        parent[path[^1]] = value;
    }

    private static string ReplaceFirstValue(string json, string escaped)
    {
        var at = json.IndexOf(":\"", StringComparison.Ordinal);
        return at < 0 ? json : json.Insert(at + 2, escaped);
    }
}
