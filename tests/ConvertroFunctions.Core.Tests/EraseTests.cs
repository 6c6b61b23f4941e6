using System.Text.Json;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.Privacy;

namespace ConvertroFunctions.Core.Tests;

/// <summary>Erase requests to Convertro's GDPR API (docs/mapping.md, "Erase").</summary>
public sealed class EraseTests
{
    [Fact]
    public void RequestId_SameInputs_TheNameBasedUuidAReferenceImplementationGives()
    {
        // Python: uuid.uuid5(uuid.UUID("0d6b0c0e-5a8a-4b5e-9f3e-6c1a2b7d4e90"), "acme\ndel-1\n2BR4BY8S68SD")
        Assert.Equal("48649a2b-a4cc-5cac-894f-6ed35911f218", UserDeletion.RequestId("acme", "del-1", "2BR4BY8S68SD"));
        Assert.NotEqual(UserDeletion.RequestId("acme", "del-1", "2BR4BY8S68SD"), UserDeletion.RequestId("acme", "del-2", "2BR4BY8S68SD"));
    }

    [Fact]
    public void BuildErase_Call_PostsTheGdprApiBodyWithoutTheKey()
    {
        var call = new ConvertroCall(ConvertroEndpoint.Erase, "Acme Inc", "1234", string.Empty, "req-1", 0, Sid: "2BR4BY8S68SD");

        var request = ConvertroWire.BuildErase(call, new Uri("https://gdpr.convertro.example/v1/requests"));

        Assert.Equal((HttpMethod.Post, "https://gdpr.convertro.example/v1/requests"), (request.Method, request.Url));
        Assert.Equal("""{"client_id":"Acme Inc","request_id":"req-1","request_type":"ERASE","sid_client_domain":"2BR4BY8S68SD","sid_cvo_domain":"2BR4BY8S68SD"}""", request.Body);
        Assert.Equal("erase:2BR4BY8S68SD", call.Key);
        Assert.DoesNotContain("key", JsonDocument.Parse(request.Body!).RootElement.EnumerateObject().Select(p => p.Name));
    }
}
