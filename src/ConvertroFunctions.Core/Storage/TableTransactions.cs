using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;

namespace ConvertroFunctions.Core.Storage;

/// <summary>
/// Entity-group transactions sent without the Table SDK's per-operation machinery. The SDK builds a
/// whole HTTP request object per operation and parses the answer a line at a time into strings: about
/// 30 KB allocated and 80–100 µs of CPU per operation, measured on this project's benchmark, which made
/// the event ledger's two writes per event cost twice what the rest of delivery costs
/// (docs/performance.md, "What profiling found"). This writes the same <c>$batch</c> request (the Table
/// service's documented multipart format: one changeset, one <c>application/http</c> part per
/// operation) into one pooled buffer and reads back only each operation's status and ETag. It goes
/// through an Azure.Core pipeline built from the same client options as the SDK's (so the same retries,
/// the emulator's transaction gate and any test policy) and signs as the SDK does: Shared Key Lite with
/// the account key, or a bearer token of the managed identity. Used by <see cref="TableBatch"/> for
/// transactions of two or more operations; a failed operation is reported as the SDK reports it
/// (<see cref="TableTransactionFailedException"/>), and entity values of a type it does not write
/// make it hand the transaction to the SDK.
/// </summary>
public sealed class TableTransactions
{
    private const string Version = "2020-12-06";
    private static readonly JsonWriterOptions JsonOptions = new() { SkipValidation = true };

    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;

    private TableTransactions(HttpPipeline pipeline, Uri endpoint)
    {
        _pipeline = pipeline;
        _endpoint = endpoint;
    }

    /// <summary>For an account key (a connection string's).</summary>
    public static TableTransactions WithKey(TableClientOptions options, Uri endpoint, string accountName, string accountKey) =>
        new(HttpPipelineBuilder.Build(options, new SharedKeyLitePolicy(accountName, Convert.FromBase64String(accountKey))), endpoint);

    /// <summary>For an identity (managed identity in Azure, the developer's credential locally).</summary>
    public static TableTransactions WithToken(TableClientOptions options, Uri endpoint, TokenCredential credential) =>
        new(HttpPipelineBuilder.Build(options, new BearerTokenAuthenticationPolicy(credential, "https://storage.azure.com/.default")), endpoint);

    /// <summary>Whether every value of the actions' entities is of a type this writes (else: the SDK's transaction).</summary>
    public static bool CanWrite(IEnumerable<TableTransactionAction> actions) =>
        actions.All(a => a.Entity is TableEntity entity && entity.All(p => p.Value is var v && v is null or string or int or long or bool or double or DateTimeOffset or DateTime or Guid or byte[] or BinaryData));

    /// <summary>
    /// Sends the actions (one partition, at most 100) as one transaction; answers each one's new ETag.
    /// Throws <see cref="TableTransactionFailedException"/> when Table storage refused one operation
    /// (none is then applied), and a <see cref="RequestFailedException"/> when it refused the request.
    /// </summary>
    public async Task<ETag?[]> SubmitAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, CancellationToken ct)
    {
        var batch = "batch_" + Guid.NewGuid().ToString("N");
        var changeset = "changeset_" + Guid.NewGuid().ToString("N");
        using var body = new PooledBuffer(actions.Count * 800 + 512);
        WriteBody(body, table, actions, batch, changeset);

        using var message = _pipeline.CreateMessage();
        message.BufferResponse = false; // read below into a pooled buffer, not a new one per answer
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(new Uri(_endpoint, Path(_endpoint) + "/$batch"));
        request.Headers.Add("x-ms-version", Version);
        request.Headers.Add("DataServiceVersion", "3.0");
        request.Headers.Add("Accept", "application/json");
        request.Headers.Add("Content-Type", "multipart/mixed; boundary=" + batch);
        request.Content = RequestContent.Create(body.Written);
        await _pipeline.SendAsync(message, ct);

        var response = message.Response;
        using var answer = new PooledBuffer(actions.Count * 600 + 512);
        if (response.ContentStream is { } stream)
        {
            int read;
            while ((read = await stream.ReadAsync(answer.GetMemory(4096), ct)) > 0)
            {
                answer.Advance(read);
            }
        }
        if (response.Status != 202)
        {
            throw Failure(response.Status, answer.Written.Span);
        }
        return Parse(answer.Written.Span, actions.Count);
    }

    /// <summary>A growable buffer rented from the shared pool, returned when disposed.</summary>
    private sealed class PooledBuffer(int size) : IBufferWriter<byte>, IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(size);
        private int _written;

        public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _written);

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Grow(sizeHint);
            return _buffer.AsMemory(_written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Grow(sizeHint);
            return _buffer.AsSpan(_written);
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);

        private void Grow(int sizeHint)
        {
            if (_buffer.Length - _written >= Math.Max(sizeHint, 256))
            {
                return;
            }
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + Math.Max(sizeHint, 256)));
            _buffer.AsSpan(0, _written).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
    }

    private static string Path(Uri uri) => uri.AbsolutePath.TrimEnd('/');

    private void WriteBody(IBufferWriter<byte> body, TableClient table, IReadOnlyList<TableTransactionAction> actions, string batch, string changeset)
    {
        var tableUri = $"{_endpoint.GetLeftPart(UriPartial.Authority)}{Path(_endpoint)}/{table.Name}";
        Ascii(body, $"--{batch}\r\nContent-Type: multipart/mixed; boundary={changeset}\r\n\r\n");
        foreach (var action in actions)
        {
            var entity = action.Entity;
            var (method, withBody, ifMatch) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", true, null),
                TableTransactionActionType.UpdateReplace => ("PUT", true, action.ETag),
                TableTransactionActionType.UpdateMerge => ("MERGE", true, action.ETag),
                TableTransactionActionType.UpsertReplace => ("PUT", true, (ETag?)null),
                TableTransactionActionType.UpsertMerge => ("MERGE", true, null),
                TableTransactionActionType.Delete => ("DELETE", false, action.ETag),
                _ => throw new ArgumentOutOfRangeException(nameof(actions), action.ActionType, "Unknown table action."),
            };
            var target = action.ActionType == TableTransactionActionType.Add
                ? tableUri
                : $"{tableUri}(PartitionKey='{Key(entity.PartitionKey)}',RowKey='{Key(entity.RowKey)}')";
            Ascii(body, $"--{changeset}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
                $"{method} {target} HTTP/1.1\r\nAccept: application/json;odata=minimalmetadata\r\nDataServiceVersion: 3.0\r\n");
            if (ifMatch is { } etag)
            {
                Ascii(body, $"If-Match: {(etag == ETag.All ? "*" : etag.ToString())}\r\n");
            }
            if (withBody)
            {
                Ascii(body, "Prefer: return-no-content\r\nContent-Type: application/json;odata=nometadata\r\n\r\n");
                using (var json = new Utf8JsonWriter(body, JsonOptions))
                {
                    WriteEntity(json, entity);
                }
                Ascii(body, "\r\n");
            }
            else
            {
                Ascii(body, "\r\n");
            }
        }
        Ascii(body, $"--{changeset}--\r\n\r\n--{batch}--\r\n");
    }

    /// <summary>A key as the URL of one entity holds it: quotes doubled, then percent-encoded.</summary>
    private static string Key(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    /// <summary>An entity as the Table service's JSON (odata=nometadata), with the type annotations the SDK writes.</summary>
    private static void WriteEntity(Utf8JsonWriter json, ITableEntity source)
    {
        var entity = (TableEntity)source;
        json.WriteStartObject();
        foreach (var (name, value) in entity)
        {
            if (value is null || name is "odata.etag" or "Timestamp")
            {
                continue;
            }
            switch (value)
            {
                case string s:
                    json.WriteString(name, s);
                    break;
                case int i:
                    json.WriteNumber(name, i);
                    break;
                case bool b:
                    json.WriteBoolean(name, b);
                    break;
                case double d:
                    json.WriteNumber(name, d);
                    break;
                case long l:
                    json.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                    Typed(json, name, "Edm.Int64");
                    break;
                case DateTimeOffset or DateTime:
                    var utc = value is DateTimeOffset offset ? offset.UtcDateTime : ((DateTime)value).ToUniversalTime();
                    json.WriteString(name, utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                    Typed(json, name, "Edm.DateTime");
                    break;
                case Guid g:
                    json.WriteString(name, g.ToString("D"));
                    Typed(json, name, "Edm.Guid");
                    break;
                case byte[] bytes:
                    json.WriteBase64String(name, bytes);
                    Typed(json, name, "Edm.Binary");
                    break;
                case BinaryData data:
                    json.WriteBase64String(name, data.ToMemory().Span);
                    Typed(json, name, "Edm.Binary");
                    break;
                default:
                    throw new NotSupportedException($"Table property {name} of type {value.GetType()} (see CanWrite).");
            }
        }
        json.WriteEndObject();
    }

    private static void Typed(Utf8JsonWriter json, string name, string type) => json.WriteString(name + "@odata.type", type);

    private static void Ascii(IBufferWriter<byte> body, string text)
    {
        var span = body.GetSpan(text.Length);
        var written = Encoding.UTF8.GetBytes(text, span);
        body.Advance(written);
    }

    /// <summary>Each operation's ETag, in order; the first operation that failed, thrown as the SDK does.</summary>
    private static ETag?[] Parse(ReadOnlySpan<byte> content, int count)
    {
        var etags = new ETag?[count];
        var index = 0;
        while (content.IndexOf("HTTP/1.1 "u8) is var at and >= 0)
        {
            content = content[(at + 9)..];
            var status = int.Parse(content[..3], CultureInfo.InvariantCulture);
            var headersEnd = content.IndexOf("\r\n\r\n"u8);
            var headers = headersEnd < 0 ? content : content[..headersEnd];
            if (status >= 300)
            {
                var next = content.IndexOf("--changesetresponse"u8);
                throw new TableTransactionFailedException(Failure(status, next < 0 ? content[(headersEnd + 4)..] : content[(headersEnd + 4)..next]));
            }
            if (index < count)
            {
                etags[index] = Header(headers, "ETag: "u8) is { } etag ? new ETag(etag) : null;
            }
            index++;
            content = headersEnd < 0 ? [] : content[headersEnd..];
        }
        if (index != count)
        {
            throw new RequestFailedException(502, $"The transaction's answer held {index} operation result(s) for {count} operation(s).");
        }
        return etags;
    }

    private static string? Header(ReadOnlySpan<byte> headers, ReadOnlySpan<byte> name)
    {
        var at = headers.IndexOf(name);
        if (at < 0)
        {
            return null;
        }
        var value = headers[(at + name.Length)..];
        var end = value.IndexOf("\r\n"u8);
        return Encoding.ASCII.GetString(end < 0 ? value : value[..end]);
    }

    /// <summary>A refusal as the SDK reports it: the status, the service's error code and message.</summary>
    private static RequestFailedException Failure(int status, ReadOnlySpan<byte> body)
    {
        string? code = null, text = null;
        try
        {
            var start = body.IndexOf((byte)'{');
            if (start >= 0)
            {
                using var doc = JsonDocument.Parse(body[start..].ToArray());
                if (doc.RootElement.TryGetProperty("odata.error", out var error))
                {
                    code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                    text = error.TryGetProperty("message", out var m) && m.TryGetProperty("value", out var v) ? v.GetString() : null;
                }
            }
        }
        catch (JsonException)
        {
            // Not the service's JSON error: the status says enough.
        }
        return new RequestFailedException(status, $"Table storage answered {status} ({code ?? "no error code"}): {text}", code, null);
    }

    /// <summary>
    /// Shared Key Lite for the Table service: HMAC-SHA256 with the account key over the request's date
    /// and its canonical resource (<c>/{account}{path}</c>).
    /// </summary>
    private sealed class SharedKeyLitePolicy(string accountName, byte[] key) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            var date = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture);
            message.Request.Headers.SetValue("x-ms-date", date);
            var signed = $"{date}\n/{accountName}{message.Request.Uri.ToUri().AbsolutePath}";
            var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(signed)));
            message.Request.Headers.SetValue("Authorization", $"SharedKeyLite {accountName}:{signature}");
        }
    }
}
