using ConvertroFunctions.Core.Admin;

namespace ConvertroFunctions.LocalHost;

/// <summary>LocalHost checks no function keys and answers loopback only, so every caller of its health sees each check's result.</summary>
public sealed class LocalHealthAudience : HealthAudience
{
    public override bool SeesDetail(HttpRequest request) => true;
}
