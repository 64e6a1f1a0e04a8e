using Microsoft.Extensions.Configuration;
using Attune.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace Attune.Server.IntegrationTests;

public sealed class StartupTests
{
    [Theory]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://*:8080")]
    [InlineData("http://+:8080")]
    [InlineData("http://192.168.1.10:8080")]
    [InlineData("http://127.0.0.1:8080;http://[::]:8081")]
    public void Non_loopback_address_without_api_keys_refuses_to_start(string urls)
    {
        using var dir = new TempDirectory();

        var ex = Assert.Throws<InvalidOperationException>(() =>
            AttuneServer.Build(["--urls", urls], new AttuneHostSettings { DataDir = dir.Path }));

        Assert.Contains("without API keys", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Attune:Auth:ApiKeys", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://[::1]:5080")]
    public async Task Loopback_address_without_api_keys_is_allowed(string urls)
    {
        using var dir = new TempDirectory();

        await using var app = AttuneServer.Build(["--urls", urls], new AttuneHostSettings { DataDir = dir.Path });

        Assert.NotNull(app);
    }

    [Fact]
    public async Task Non_loopback_address_with_api_keys_is_allowed()
    {
        using var dir = new TempDirectory();

        await using var app = AttuneServer.Build(
            ["--urls", "http://0.0.0.0:8080", "--Attune:Auth:ApiKeys:0:Key=abcdefghijklmnopqrstuvwxyz", "--Attune:Auth:ApiKeys:0:Scopes:0=admin"],
            new AttuneHostSettings { DataDir = dir.Path });

        Assert.NotNull(app);
    }

    [Fact]
    public void Invalid_options_stop_the_build_with_every_problem_named()
    {
        using var dir = new TempDirectory();

        var ex = Assert.Throws<InvalidOperationException>(() => AttuneServer.Build(
            ["--urls", "http://127.0.0.1:0", "--Attune:Limits:MaxBatchSize=0", "--Attune:Storage:Provider=oracle", "--Attune:Auth:ApiKeys:0:Key=short"],
            new AttuneHostSettings { DataDir = dir.Path }));

        Assert.Contains("Attune:Limits:MaxBatchSize", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Attune:Storage:Provider", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Attune:Auth:ApiKeys:0:Key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_also_stop_a_host_that_only_calls_AddAttune()
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--Attune:Limits:MaxJsonDepth=1"]);
        builder.Services.AddAttune(builder.Configuration);
        await using var app = builder.Build();
        app.MapAttuneApi();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Attune:Limits:MaxJsonDepth", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_opened_callback_runs_before_the_first_request()
    {
        using var dir = new TempDirectory();
        var ran = false;
        await using var app = AttuneServer.Build(
            ["--urls", "http://127.0.0.1:0"],
            new AttuneHostSettings
            {
                DataDir = dir.Path,
                OnStoreOpened = async (store, _, ct) =>
                {
                    await store.Catalog.UpsertAsync([new Core.Item("seeded")], ct);
                    ran = true;
                },
            });

        await app.StartAsync();
        using var client = new Client.AttuneClient(new Uri(app.Urls.First()));
        var item = await client.GetItemAsync("seeded");
        await app.StopAsync();

        Assert.True(ran);
        Assert.NotNull(item);
    }

    [Fact]
    public void Options_bind_from_configuration_with_defaults_for_the_rest()
    {
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Attune:DataDir"] = "/data",
                ["Attune:Limits:MaxFutureSkew"] = "02:00:00",
                ["Attune:Auth:ApiKeys:0:Key"] = "abcdefghijklmnopqrstuvwxyz",
                ["Attune:Auth:ApiKeys:0:Scopes:0"] = "ingest",
                ["Attune:EventTypes:purchase:Weight"] = "10",
                ["Attune:EventTypes:purchase:Polarity"] = "Positive",
            })
            .Build();

        var options = config.GetSection("Attune").Get<Engine.Options.AttuneOptions>()!;

        Assert.Equal("/data", options.DataDir);
        Assert.Equal(TimeSpan.FromHours(2), options.Limits.MaxFutureSkew);
        Assert.Equal(10_000, options.Limits.MaxBatchSize);
        Assert.Equal(["ingest"], options.Auth.ApiKeys.Single().Scopes);
        Assert.Equal(10, options.CreateEventTypeRegistry().Get("purchase").Weight);
        Assert.Empty(options.Validate());
        Assert.DoesNotContain("abcdefghijklmnopqrstuvwxyz", options.ToString(), StringComparison.Ordinal);
    }
}

public sealed class KestrelLimitTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Body_over_the_limit_on_real_kestrel_is_413_with_or_without_content_length(bool withLength)
    {
        using var dir = new TempDirectory();
        await using var app = AttuneServer.Build(
            ["--urls", "http://127.0.0.1:0", "--Attune:Limits:MaxBodyBytes=65536", "--Logging:LogLevel:Default=Warning"],
            new AttuneHostSettings { DataDir = dir.Path });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var body = System.Text.Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Range(0, 5000).Select(i => "{\"userId\":\"u" + i + "\",\"type\":\"view\"}")) + "]");
        HttpContent content = withLength ? new ByteArrayContent(body) : new StreamContent(new UnseekableStream(body));
        content.Headers.ContentType = new("application/json");

        using var response = await http.PostAsync("/v1/events", content);
        var stats = await new Client.AttuneClient(http).GetStatsAsync();
        await app.StopAsync();

        Assert.Equal(System.Net.HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, stats.Events);
    }

    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
