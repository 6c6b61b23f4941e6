using System.Text.Json.Serialization;

namespace ConvertroFunctions.Core.Queueing;

/// <summary>Source-generated serialization for the queue contract and stored JSON values.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(QueueEnvelope))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, long>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Ledger.StoredCall[]))]
internal sealed partial class CoreJsonContext : JsonSerializerContext;
