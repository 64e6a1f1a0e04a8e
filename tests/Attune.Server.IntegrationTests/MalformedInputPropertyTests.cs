using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Attune.Server.IntegrationTests;

/// <summary>
/// Throws generated garbage at every write endpoint. Whatever arrives, the answer is never a 5xx; a 4xx
/// leaves the store exactly as it was (stats, catalog, the user and their export read back identical).
/// Bodies that are invalid by construction must get a 4xx.
/// </summary>
public sealed class MalformedInputPropertyTests : IDisposable
{
    private const int SamplesPerKind = 40;

    private static readonly (string Method, string Url)[] WriteEndpoints =
    [
        ("POST", "/v1/events"),
        ("POST", "/v1/items"),
        ("PUT", "/v1/items/fz"),
        ("PUT", "/v1/users/fz"),
    ];

    private readonly AttuneFactory _factory = new(new Dictionary<string, string?> { ["Attune:Limits:MaxBodyBytes"] = "200000" });

    public void Dispose() => _factory.Dispose();

    public static TheoryData<string> Kinds() => ["random-bytes", "random-json", "mutated-valid", "wrong-types", "deep-nesting", "invalid-utf8"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Write_endpoints_answer_4xx_to_garbage_and_leave_the_store_unchanged(string kind)
    {
        using var http = _factory.CreateClient();
        await SeedAsync(http);
        var (gen, alwaysInvalid) = Generator(kind);
        var samples = gen.Sample(30, SamplesPerKind);
        var baseline = await SnapshotAsync(http);

        foreach (var body in samples)
        {
            foreach (var (method, url) in WriteEndpoints)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = Http.JsonBytes(body) };

                using var response = await http.SendAsync(request);

                var status = (int)response.StatusCode;
                var shown = $"{method} {url} with {kind} body (base64) {Convert.ToBase64String(body)} answered {status}: {await response.Content.ReadAsStringAsync()}";
                Assert.True(status < 500, shown);
                Assert.True(!alwaysInvalid || status is >= 400 and < 500, shown);
                var after = await SnapshotAsync(http);
                if (status >= 400)
                {
                    Assert.True(baseline == after, "store changed after a refused request: " + shown);
                }

                baseline = after;
            }
        }
    }

    private static async Task SeedAsync(HttpClient http)
    {
        await http.PostAsync("/v1/events", Http.Json("""[{"id":"s1","userId":"fz","itemId":"fz","type":"view","timestamp":1700000000},{"id":"s2","userId":"other","itemId":"fz","type":"purchase","value":3,"timestamp":1700000100}]"""));
        await http.PutAsync("/v1/items/fz", Http.Json("""{"title":"seed","categories":["c"],"properties":{"k":1}}"""));
        await http.PutAsync("/v1/users/fz", Http.Json("""{"attributes":{"a":"b"},"consent":{"marketing":true}}"""));
    }

    private static async Task<string> SnapshotAsync(HttpClient http)
    {
        var sb = new StringBuilder();
        foreach (var url in new[] { "/v1/stats", "/v1/items?limit=1000", "/v1/users/fz", "/v1/users/fz/export" })
        {
            using var response = await http.GetAsync(url);
            var text = await response.Content.ReadAsStringAsync();
            if (url.EndsWith("/export", StringComparison.Ordinal))
            {
                text = text[..text.LastIndexOf("\"exportedAt\"", StringComparison.Ordinal)];
            }

            sb.Append((int)response.StatusCode).Append(' ').Append(text).Append('\n');
        }

        return sb.ToString();
    }

    private static (Gen<byte[]> Gen, bool AlwaysInvalid) Generator(string kind) => kind switch
    {
        "random-bytes" => (Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)), false),
        "random-json" => (RandomJson(4).Select(Encoding.UTF8.GetBytes), false),
        "mutated-valid" => (MutatedValid(), false),
        "wrong-types" => (WrongTypes().Select(Encoding.UTF8.GetBytes), true),
        "deep-nesting" => (DeepNesting().Select(Encoding.UTF8.GetBytes), true),
        "invalid-utf8" => (InvalidUtf8(), true),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static readonly string[] Keys = ["id", "userId", "itemId", "type", "value", "timestamp", "context", "properties", "title", "categories", "attributes", "consent", "price", "x"];

    private static Gen<string> RandomJson(int depth)
    {
        var scalar = Gen.OneOf(
            Gen.Constant("null"),
            Gen.Elements("true", "false"),
            Gen.Choose(-1000, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Elements("1e400", "-0", "0.5", "12345678901234567890"),
            Gen.Elements("\"\"", "\"a\"", "\"view\"", "\"2024-05-01T00:00:00Z\"", "\"\\u0000\"", "\"\\ud800\""));
        if (depth == 0)
        {
            return scalar;
        }

        var inner = RandomJson(depth - 1);
        var array = Gen.ListOf(inner, 4).Select(xs => "[" + string.Join(',', xs) + "]");
        var obj = Gen.ListOf(Gen.Zip(Gen.Elements(Keys), inner), 5)
            .Select(kvs => "{" + string.Join(',', kvs.Select(kv => $"\"{kv.Item1}\":{kv.Item2}")) + "}");
        return Gen.Frequency((2, scalar), (3, array), (4, obj));
    }

    private static string ValidEvent(int i) =>
        $$$"""{"id":"m{{{i}}}","userId":"u{{{i % 3}}}","itemId":"i{{{i}}}","type":"view","value":1.5,"timestamp":"2024-05-01T12:00:00Z","context":{"channel":"web"},"properties":{"p":"v"}}""";

    private static Gen<byte[]> MutatedValid() =>
        from n in Gen.Choose(1, 5)
        let text = Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Range(0, n).Select(ValidEvent)) + "]")
        from pos in Gen.Choose(0, text.Length - 1)
        from op in Gen.Choose(0, 3)
        from b in Gen.Choose(0, 255)
        select op switch
        {
            0 => [.. text[..pos], .. text[(pos + 1)..]],
            1 => [.. text[..pos], (byte)b, .. text[pos..]],
            2 => [.. text[..pos], (byte)b, .. text[(pos + 1)..]],
            _ => text[..pos],
        };

    private static Gen<string> WrongTypes() =>
        from field in Gen.Elements("userId", "type", "itemId", "value", "timestamp", "context", "properties", "title", "categories", "consent", "attributes", "price")
        from value in Gen.Elements("[]", "{\"a\":{}}", "[[1]]", "{\"nested\":[{}]}")
        select $$$"""[{"id":"w","userId":"u","{{{field}}}":{{{value}}},"type":"view"}]""";

    private static Gen<string> DeepNesting() =>
        from depth in Gen.Choose(20, 3000)
        from open in Gen.Elements("[", "{\"a\":")
        select string.Concat(Enumerable.Repeat(open, depth)) + "1" + new string(open == "[" ? ']' : '}', depth);

    private static Gen<byte[]> InvalidUtf8() =>
        from bad in Gen.Elements<byte[]>([0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xF0, 0x28, 0x8C, 0x28], [0xC0, 0xAF], [0xED, 0xA0, 0x80])
        from field in Gen.Elements("userId", "id", "title", "key")
        select field == "key"
            ? (byte[])[.. "[{\"id\":\"u\",\"userId\":\"u\",\"type\":\"view\",\"properties\":{\""u8, .. bad, .. "\":1}}]"u8]
            : [.. Encoding.UTF8.GetBytes($"[{{\"id\":\"u\",\"type\":\"view\",\"userId\":\"u\",\"{field}\":\""), .. bad, .. "\"}]"u8];
}
