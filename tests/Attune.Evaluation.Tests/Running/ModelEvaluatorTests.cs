using System.Text.Json;
using Attune.Evaluation.Reports;
using Attune.Evaluation.Running;
using Attune.Evaluation.Splits;
using Attune.TestSupport;

namespace Attune.Evaluation.Tests.Running;

public class ModelEvaluatorTests
{
    /// <summary>
    /// 3 users, 6 items. Train: u0 {0}, u1 {1, 2}, u2 {4}. Test: u0 {1, 4}, u1 {0, 5}, u2 {0}.
    /// </summary>
    private static EvaluationSplit Split()
    {
        var users = TestRows.Ids(3, "u");
        var items = TestRows.Ids(6, "i");
        var train = TestRows.Make(users, items, (0, 0, 1), (1, 1, 1), (1, 2, 2), (2, 4, 1));
        var test = TestRows.Make(users, items, (0, 1, 5), (0, 4, 6), (1, 0, 5), (1, 5, 6), (2, 0, 5));
        return new EvaluationSplit(train, test);
    }

    [Fact]
    public void Lists_exclude_training_items_and_a_user_the_model_cannot_score_gets_no_list()
    {
        var split = Split();

        var lists = ModelEvaluator.Recommend(new IndexOrderRecommender(3, 6, unknownUsers: 2), split, 3, out var unknown);

        // Smaller index first; u0 skips 0, u1 skips 1 and 2; u2 is unknown to the model.
        Assert.Equal([1, 2, 3], lists.Of(0).ToArray());
        Assert.Equal([0, 3, 4], lists.Of(1).ToArray());
        Assert.True(lists.Of(2).IsEmpty);
        Assert.Equal(1, unknown);
    }

    [Fact]
    public void Equal_scores_rank_by_item_index()
    {
        var split = Split();

        var lists = ModelEvaluator.Recommend(new ConstantRecommender(3, 6), split, 2, out _);

        Assert.Equal([1, 2], lists.Of(0).ToArray());
        Assert.Equal([0, 3], lists.Of(1).ToArray());
        Assert.Equal([0, 1], lists.Of(2).ToArray());
    }

    [Fact]
    public void Metrics_average_over_every_user_with_test_items_including_unscorable_ones()
    {
        var split = Split();

        var result = ModelEvaluator.Evaluate(split, "index-order", _ => new IndexOrderRecommender(3, 6, unknownUsers: 2), [2]);
        var m = result.Metrics.Metrics;

        // Top-2 lists: u0 [1, 2] vs {1, 4}: hit at 1; u1 [0, 3] vs {0, 5}: hit at 1; u2: none.
        // Precision@2 = (1/2 + 1/2 + 0) / 3 = 1/3; Recall@2 = (1/2 + 1/2 + 0) / 3 = 1/3.
        // NDCG@2 per user with a hit at 1: 1 / (1 + 1/log2(3)) = 0.613147; mean (2 * 0.613147) / 3 = 0.408765.
        // HR@2 = 2/3; MRR@2 = (1 + 1 + 0) / 3; MAP@2 = ((1/1)/2 + (1/1)/2 + 0) / 3 = 1/3.
        Assert.Equal(3, result.Metrics.Users);
        Assert.Equal(1.0 / 3.0, m["precision@2"], 12);
        Assert.Equal(1.0 / 3.0, m["recall@2"], 12);
        Assert.Equal(2.0 / 3.0 / (1 + (1 / Math.Log2(3))), m["ndcg@2"], 12);
        Assert.Equal(2.0 / 3.0, m["hr@2"], 12);
        Assert.Equal(2.0 / 3.0, m["mrr@2"], 12);
        Assert.Equal(1.0 / 3.0, m["map@2"], 12);

        // Items in any list: {0, 1, 2, 3} of 6.
        Assert.Equal(4.0 / 6.0, m["coverage@2"], 12);

        // Training users per item: 0:1, 1:1, 2:1, 3:0. ARP = mean over listed users of (1+1)/2 and (1+0)/2 = (1 + 0.5) / 2.
        Assert.Equal(0.75, m["arp@2"], 12);
        Assert.Equal(1, result.UnknownUsers);
    }

    [Fact]
    public void Activity_groups_cut_users_into_quartiles_by_training_items()
    {
        // 8 users; user u has u + 1 training items (0..u) and one test item (7).
        var users = TestRows.Ids(8, "u");
        var items = TestRows.Ids(8, "i");
        var trainRows = new List<(int, int, long)>();
        for (var u = 0; u < 8; u++)
        {
            for (var i = 0; i <= Math.Min(u, 6); i++)
            {
                trainRows.Add((u, i, 1));
            }
        }

        var split = new EvaluationSplit(
            TestRows.Make(users, items, [.. trainRows]),
            TestRows.Make(users, items, [.. Enumerable.Range(0, 8).Select(u => (u, 7, 2L))]));

        var result = ModelEvaluator.Evaluate(split, "index-order", _ => new IndexOrderRecommender(8, 8), [10]);

        var groups = result.Metrics.Groups;
        Assert.Equal(4, groups.Count);
        Assert.All(groups, g => Assert.Equal(2, g.Users));
        Assert.Equal((1, 2), (groups[0].MinTrainingItems, groups[0].MaxTrainingItems));
        Assert.Equal((7, 7), (groups[3].MinTrainingItems, groups[3].MaxTrainingItems));

        // Heavy users have fewer untried items ahead of item 7, so it ranks higher: their NDCG is larger.
        Assert.True(groups[3].Metrics["ndcg@10"] > groups[0].Metrics["ndcg@10"]);
    }

    [Fact]
    public void Report_json_carries_each_model_with_metrics_keyed_by_name_at_k()
    {
        var split = Split();
        var result = ModelEvaluator.Evaluate(split, "index-order", _ => new IndexOrderRecommender(3, 6), [1, 2]);
        var report = ModelEvaluator.CreateReport("tiny", split, "given", [1, 2], [result]);

        using var doc = JsonDocument.Parse(ReportJson.Serialize(report));

        var model = doc.RootElement.GetProperty("models")[0];
        Assert.Equal("index-order", model.GetProperty("name").GetString());
        Assert.Equal("none", model.GetProperty("options").GetString());
        Assert.True(model.GetProperty("fitSeconds").GetDouble() >= 0);
        Assert.True(model.GetProperty("peakMemoryMB").GetDouble() > 0);
        Assert.Equal(result.Metrics["ndcg@2"], model.GetProperty("metrics").GetProperty("ndcg@2").GetDouble(), 12);
        Assert.True(model.GetProperty("metrics").TryGetProperty("precision@1", out _));
        Assert.Equal(3, doc.RootElement.GetProperty("evaluatedUsers").GetInt32());
    }

    [Fact]
    public void Report_files_hold_json_markdown_and_an_svg_chart()
    {
        using var dir = new TempDirectory();
        var split = Split();
        var result = ModelEvaluator.Evaluate(split, "index-order", _ => new IndexOrderRecommender(3, 6), [2]);
        var report = ModelEvaluator.CreateReport("tiny", split, "given", [2], [result]);

        ReportFiles.Write(report, dir.Path);

        var md = File.ReadAllText(Path.Combine(dir.Path, "report.md"));
        Assert.Contains("| index-order | none |", md, StringComparison.Ordinal);
        var svg = File.ReadAllText(Path.Combine(dir.Path, "ndcg-at-2.svg"));
        Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("index-order", svg, StringComparison.Ordinal);
        System.Xml.Linq.XDocument.Parse(svg);
        Assert.False(File.Exists(Path.Combine(dir.Path, "report.json.tmp")));
    }

    [Fact]
    public void An_unknown_model_is_a_clear_error()
    {
        var e = Assert.Throws<EvaluationException>(() => ModelEvaluator.ParseSpec("no-such-model"));
        Assert.Contains("no-such-model", e.Message, StringComparison.Ordinal);
    }
}
