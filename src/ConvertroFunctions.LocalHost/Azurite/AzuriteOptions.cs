namespace ConvertroFunctions.LocalHost.Azurite;

/// <summary>How to start Azurite. Port 0 lets Azurite pick a free port (tests).</summary>
public sealed record AzuriteOptions
{
    /// <summary>The well-known development account key Azurite uses for devstoreaccount1.</summary>
    public const string DevAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public const int DefaultBlobPort = 10000, DefaultQueuePort = 10001, DefaultTablePort = 10002;

    /// <summary>Folder for Azurite's data; null keeps everything in memory.</summary>
    public string? Location { get; init; }

    public int BlobPort { get; init; } = DefaultBlobPort;

    public int QueuePort { get; init; } = DefaultQueuePort;

    public int TablePort { get; init; } = DefaultTablePort;

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>In-memory mode only: how many megabytes of message and blob data Azurite holds before refusing writes.</summary>
    public int ExtentMemoryLimitMegabytes { get; init; } = 256;
}
