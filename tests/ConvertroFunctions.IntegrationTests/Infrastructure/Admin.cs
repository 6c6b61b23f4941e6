using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>The admin API calls tests make, against any LocalHost (in this process or another).</summary>
public static class Admin
{
    /// <summary>Every dead letter of a workspace, newest first, following continuation tokens.</summary>
    public static async Task<List<JsonElement>> DeadLettersAsync(HttpClient client, string workspaceId, string? reason = null)
    {
        var letters = new List<JsonElement>();
        string? continuation = null;
        do
        {
            var query = $"limit=1000{(reason is null ? "" : "&reason=" + reason)}{(continuation is null ? "" : "&continuation=" + continuation)}";
            var response = await client.GetAsync($"/api/workspaces/{workspaceId}/dead-letters?{query}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.JsonAsync();
            letters.AddRange(page.GetProperty("items").EnumerateArray());
            continuation = page.GetProperty("continuation").GetString();
        }
        while (continuation is not null);
        return letters;
    }

    /// <summary>Waits until the event lookup says <paramref name="state"/> for the messageId; returns the answer.</summary>
    public static async Task<JsonElement> EventAsync(HttpClient client, TestWorkspace ws, string messageId, string state)
    {
        JsonElement found = default;
        await Eventually.TrueAsync(async () =>
        {
            var response = await client.GetAsync($"/api/workspaces/{ws.Id}/events/{messageId}");
            found = response.StatusCode == HttpStatusCode.OK ? await response.JsonAsync() : default;
            return found.ValueKind == JsonValueKind.Object && found.GetProperty("state").GetString() == state;
        }, message: () => $"{messageId}: {found}");
        return found;
    }

    /// <summary>Creates a deleted workspace again with the same settings.</summary>
    public static async Task RecreateAsync(HttpClient client, TestWorkspace ws) =>
        Assert.Equal(HttpStatusCode.Created, await PutAsync(client, ws));

    /// <summary>Saves the workspace's settings (created, or replaced), enabled or not.</summary>
    public static async Task<HttpStatusCode> PutAsync(HttpClient client, TestWorkspace ws, bool enabled = true, bool hybrid = false)
    {
        var response = await client.PutAsJsonAsync($"/api/workspaces/{ws.Id}", new Dictionary<string, object?>
        {
            ["account"] = TestWorkspace.Account, ["clientName"] = ws.ClientName, ["siteId"] = TestWorkspace.SiteId, ["domain"] = "acme.convertro.com",
            ["enabled"] = enabled, ["hybridAttributionModel"] = hybrid,
        });
        return response.StatusCode;
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
