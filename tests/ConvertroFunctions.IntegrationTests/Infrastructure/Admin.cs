using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>The admin API calls tests make, against any LocalHost (in this process or another).</summary>
public static class Admin
{
    public static async Task<List<JsonElement>> DeadLettersAsync(HttpClient client, string workspaceId)
    {
        var response = await client.GetAsync($"/api/workspaces/{workspaceId}/dead-letters?limit=1000");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).EnumerateArray().ToList();
    }

    /// <summary>Creates a workspace with a unique id and Convertro client name (the fake sorts requests by client name).</summary>
    public static async Task<TestWorkspace> NewWorkspaceAsync(
        HttpClient client, string? sharedSecret = null, bool hybrid = false, Dictionary<string, string>? events = null,
        string? clientName = null)
    {
        var id = "ws-" + Guid.NewGuid().ToString("N")[..12];
        var workspace = new TestWorkspace(id, clientName ?? "Client " + id);
        var response = await client.PutAsJsonAsync($"/api/workspaces/{id}", new Dictionary<string, object?>
        {
            ["account"] = TestWorkspace.Account,
            ["clientName"] = workspace.ClientName,
            ["siteId"] = TestWorkspace.SiteId,
            ["domain"] = "acme.convertro.com",
            ["hybridAttributionModel"] = hybrid,
            ["events"] = events ?? [],
            ["sharedSecret"] = sharedSecret,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return workspace;
    }
}
