using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Attune.Server.IntegrationTests.Models;

/// <summary>
/// A small shop where each user only views items of their own group, spread evenly over time: a model that learns
/// co-occurrence (EASE) ranks a user's unseen group items first, popularity does not.
/// </summary>
internal static class ClusteredShop
{
    public const int Groups = 4;
    public const int ItemsPerGroup = 30;
    public const long StartSeconds = 1_767_225_600;

    public static string Items()
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < Groups * ItemsPerGroup; i++)
        {
            var g = i / ItemsPerGroup;
            sb.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$"""{"id":"i{{i}}","title":"item {{i}} of group {{g}}","categories":["group-{{g}}"],"text":"colour{{g}} style{{g}}"}""");
        }

        return sb.Append(']').ToString();
    }

    /// <summary>Events of <paramref name="users"/> users, <paramref name="perUser"/> each, interleaved in time.</summary>
    public static string Events(int users, int perUser, int seed = 7, string idPrefix = "e", long startSeconds = StartSeconds)
    {
        var random = new Random(seed);
        var sb = new StringBuilder("[");
        var n = 0;
        for (var t = 0; t < perUser; t++)
        {
            for (var u = 0; u < users; u++)
            {
                var g = u % Groups;
                var item = (g * ItemsPerGroup) + random.Next(ItemsPerGroup);
                sb.Append(n == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                    $$"""{"id":"{{idPrefix}}{{n}}","userId":"u{{u}}","itemId":"i{{item}}","type":"view","timestamp":{{startSeconds + (n * 60)}}}""");
                n++;
            }
        }

        return sb.Append(']').ToString();
    }

    public static async Task LoadAsync(HttpClient http, int users = 80, int perUser = 20)
    {
        var items = await http.PostAsync("/v1/items", Http.Json(Items()));
        Assert.True(items.IsSuccessStatusCode, await items.Content.ReadAsStringAsync());
        var events = await http.PostAsync("/v1/events", Http.Json(Events(users, perUser)));
        Assert.Equal(HttpStatusCode.Accepted, events.StatusCode);
    }

    /// <summary>Starts a training run and waits for it to finish; returns the finished run.</summary>
    public static async Task<JsonElement> TrainAsync(HttpClient http, string? algorithm = null)
    {
        using var response = await http.PostAsync("/v1/models/train",
            algorithm is null ? null : Http.Json($$"""{"algorithm":"{{algorithm}}"}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var accepted = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var url = accepted.RootElement.GetProperty("statusUrl").GetString()!;
        Assert.Equal(url, response.Headers.Location?.OriginalString);
        return await WaitAsync(http, url);
    }

    public static async Task<JsonElement> WaitAsync(HttpClient http, string statusUrl)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var run = JsonDocument.Parse(await http.GetStringAsync(statusUrl)).RootElement;
            var status = run.GetProperty("status").GetString();
            if (status is not ("queued" or "running"))
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The training run did not finish in time: {run}");
            await Task.Delay(50);
        }
    }

    public static async Task<JsonElement> ModelsAsync(HttpClient http) =>
        JsonDocument.Parse(await http.GetStringAsync("/v1/models")).RootElement;
}
