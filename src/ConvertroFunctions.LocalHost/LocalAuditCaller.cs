using ConvertroFunctions.Core.Audit;

namespace ConvertroFunctions.LocalHost;

/// <summary>LocalHost checks no function keys (as <c>func start</c>), so its audit records name none: <c>local</c>.</summary>
public sealed class LocalAuditCaller : AuditCaller
{
    public const string Local = "local";

    public override string Of(HttpRequest request) => Local;
}
