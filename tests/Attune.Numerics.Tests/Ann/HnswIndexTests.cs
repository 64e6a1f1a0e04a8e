using Attune.Numerics.Ann;

namespace Attune.Numerics.Tests.Ann;

public class HnswIndexTests
{
    private const int Dim = 32;

    [Fact]
    public void Search_on_a_tiny_set_equals_the_exact_scan()
    {
        var vectors = AnnTestData.Gaussian(30, 8, seed: 1);
        var index = HnswIndex.Build(vectors, 8);
        var queries = AnnTestData.Gaussian(20, 8, seed: 2);
        var ids = new int[10];
        var scores = new float[10];

        for (var q = 0; q < 20; q++)
        {
            var query = queries.AsSpan(q * 8, 8);
            var n = index.Search(query, 10, ids, scores);

            Assert.Equal(10, n);
            Assert.Equal(AnnTestData.ExactTop(vectors, 8, query, 10), ids);
            for (var i = 0; i < n; i++)
            {
                Assert.Equal(index.Score(query, ids[i]), scores[i]);
            }
        }
    }

    [Fact]
    public void Search_with_a_beam_wider_than_the_set_equals_the_exact_scan()
    {
        var vectors = AnnTestData.Clustered(300, 16, clusters: 5, seed: 3);
        var index = HnswIndex.Build(vectors, 16, new HnswOptions(M: 4, EfConstruction: 20));
        var queries = AnnTestData.Gaussian(20, 16, seed: 4);
        var ids = new int[5];
        var scores = new float[5];

        for (var q = 0; q < 20; q++)
        {
            var query = queries.AsSpan(q * 16, 16);
            index.Search(query, 5, ids, scores, efSearch: 400);

            Assert.Equal(AnnTestData.ExactTop(vectors, 16, query, 5), ids);
        }
    }

    [Fact]
    public void Recall_at_10_on_random_data_is_at_least_0_95_with_default_options()
    {
        var vectors = AnnTestData.Gaussian(20_000, Dim, seed: 5);

        var recall = Recall(vectors, HnswIndex.Build(vectors, Dim), seed: 6);

        Assert.True(recall >= 0.95, $"recall@10 = {recall:F3}");
    }

    [Fact]
    public void Recall_at_10_on_clustered_power_law_data_is_at_least_0_95_with_default_options()
    {
        var vectors = AnnTestData.Clustered(20_000, Dim, clusters: 50, seed: 7);

        var recall = Recall(vectors, HnswIndex.Build(vectors, Dim), seed: 8);

        Assert.True(recall >= 0.95, $"recall@10 = {recall:F3}");
    }

    [Fact]
    public void Excluded_items_are_never_returned_by_bitset_or_predicate()
    {
        var vectors = AnnTestData.Gaussian(3_000, 16, seed: 9);
        var index = HnswIndex.Build(vectors, 16);
        var queries = AnnTestData.Gaussian(30, 16, seed: 10);
        var bits = new ulong[(3_000 + 63) / 64];
        var rng = new Random(11);
        for (var i = 0; i < 3_000; i++)
        {
            if (rng.NextDouble() < 0.5)
            {
                bits[i >> 6] |= 1UL << (i & 63);
            }
        }

        bool Excluded(int i) => (bits[i >> 6] & (1UL << (i & 63))) != 0;
        var ids = new int[10];
        var scores = new float[10];

        for (var q = 0; q < 30; q++)
        {
            var query = queries.AsSpan(q * 16, 16);
            var exact = AnnTestData.ExactTop(vectors, 16, query, 1, Excluded);

            var n = index.Search(query, 10, ids, scores, bits);
            Assert.Equal(10, n);
            Assert.All(ids, id => Assert.False(Excluded(id)));
            Assert.Equal(exact[0], ids[0]);

            n = index.Search(query, 10, ids, scores, Excluded);
            Assert.Equal(10, n);
            Assert.All(ids, id => Assert.False(Excluded(id)));
        }
    }

    [Fact]
    public void Search_returns_fewer_results_when_almost_everything_is_excluded()
    {
        var vectors = AnnTestData.Gaussian(500, 8, seed: 12);
        var index = HnswIndex.Build(vectors, 8);
        var ids = new int[10];
        var scores = new float[10];

        var n = index.Search(vectors.AsSpan(0, 8), 10, ids, scores, i => i is not (7 or 300 or 499));

        Assert.Equal(3, n);
        Assert.Equal([7, 300, 499], ids[..3].Order());
    }

    [Fact]
    public void The_same_seed_builds_the_same_index_and_another_seed_a_different_one()
    {
        var vectors = AnnTestData.Gaussian(2_000, 16, seed: 13);

        var a = Serialize(HnswIndex.Build(vectors, 16, new HnswOptions(Seed: 1)));
        var b = Serialize(HnswIndex.Build(vectors, 16, new HnswOptions(Seed: 1)));
        var c = Serialize(HnswIndex.Build(vectors, 16, new HnswOptions(Seed: 2)));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Serialization_round_trip_gives_identical_results()
    {
        var vectors = AnnTestData.Clustered(2_000, 16, clusters: 10, seed: 14);
        var index = HnswIndex.Build(vectors, 16, new HnswOptions(M: 8, EfSearch: 30));
        var bytes = Serialize(index);

        var loaded = HnswIndex.Load(new MemoryStream(bytes));

        Assert.Equal(index.Options, loaded.Options);
        Assert.Equal(index.Count, loaded.Count);
        Assert.Equal(bytes, Serialize(loaded));
        var queries = AnnTestData.Gaussian(10, 16, seed: 15);
        var (ia, sa, ib, sb) = (new int[10], new float[10], new int[10], new float[10]);
        for (var q = 0; q < 10; q++)
        {
            index.Search(queries.AsSpan(q * 16, 16), 10, ia, sa);
            loaded.Search(queries.AsSpan(q * 16, 16), 10, ib, sb);
            Assert.Equal(ia, ib);
            Assert.Equal(sa, sb);
        }
    }

    [Fact]
    public void Load_rejects_truncated_and_foreign_streams()
    {
        var bytes = Serialize(HnswIndex.Build(AnnTestData.Gaussian(200, 4, seed: 16), 4));

        Assert.Throws<InvalidDataException>(() => HnswIndex.Load(new MemoryStream(bytes[..(bytes.Length - 3)])));
        Assert.Throws<InvalidDataException>(() => HnswIndex.Load(new MemoryStream(new byte[64])));
        var badVersion = (byte[])bytes.Clone();
        badVersion[4] = 99;
        var e = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(new MemoryStream(badVersion)));
        Assert.Contains("version 99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_rejects_a_link_to_a_missing_item()
    {
        var index = HnswIndex.Build(AnnTestData.Gaussian(50, 4, seed: 17), 4, new HnswOptions(M: 2));
        var bytes = Serialize(index);
        // Layer-0 links follow the header, vectors and level arrays (each with an 8-byte length).
        var header = 4 + (4 * 5) + 1 + (4 * 4);
        var layer0 = header + (8 + (50 * 4 * 4)) + (8 + 50) + 8;
        BitConverter.GetBytes(1_000).CopyTo(bytes, layer0 + 4);

        Assert.Throws<InvalidDataException>(() => HnswIndex.Load(new MemoryStream(bytes)));
    }

    [Fact]
    public void An_empty_index_returns_nothing_and_a_single_item_returns_itself()
    {
        var empty = HnswIndex.Build([], 4);
        var ids = new int[3];
        var scores = new float[3];
        Assert.Equal(0, empty.Search([1f, 2f, 3f, 4f], 3, ids, scores));
        Assert.Equal(0, HnswIndex.Load(new MemoryStream(Serialize(empty))).Count);

        var single = HnswIndex.Build([1f, 0f, 0f, 2f], 4);
        Assert.Equal(1, single.Search([1f, 1f, 1f, 1f], 3, ids, scores));
        Assert.Equal(0, ids[0]);
        Assert.Equal(3f, scores[0]);
    }

    [Fact]
    public void Dimension_mismatch_throws_a_clear_argument_exception()
    {
        var index = HnswIndex.Build(AnnTestData.Gaussian(10, 4, seed: 18), 4);

        var e = Assert.Throws<ArgumentException>(() => index.Search([1f, 2f, 3f], 1, new int[1], new float[1]));
        Assert.Equal("query", e.ParamName);
        Assert.Contains("dimension 4", e.Message, StringComparison.Ordinal);
        var b = Assert.Throws<ArgumentException>(() => HnswIndex.Build(new float[10], 4));
        Assert.Equal("vectors", b.ParamName);
    }

    [Fact]
    public void Build_rejects_non_finite_vectors_naming_the_row()
    {
        var v = AnnTestData.Gaussian(5, 3, seed: 19);
        v[7] = float.NaN;

        var e = Assert.Throws<ArgumentException>(() => HnswIndex.Build(v, 3));

        Assert.Contains("Vector 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_searches_agree_with_sequential_ones()
    {
        var vectors = AnnTestData.Gaussian(3_000, 16, seed: 20);
        var index = HnswIndex.Build(vectors, 16);
        var queries = AnnTestData.Gaussian(200, 16, seed: 21);
        var expected = new int[200][];
        for (var q = 0; q < 200; q++)
        {
            expected[q] = new int[10];
            index.Search(queries.AsSpan(q * 16, 16), 10, expected[q], new float[10]);
        }

        var tasks = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            var ids = new int[10];
            var scores = new float[10];
            for (var q = 0; q < 200; q++)
            {
                index.Search(queries.AsSpan(q * 16, 16), 10, ids, scores);
                Assert.Equal(expected[q], ids);
            }
        }));

        await Task.WhenAll(tasks);
    }

    private static double Recall(float[] vectors, HnswIndex index, int seed)
    {
        const int queries = 200;
        var qs = AnnTestData.Gaussian(queries, Dim, seed);
        var ids = new int[10];
        var scores = new float[10];
        var hits = 0;
        for (var q = 0; q < queries; q++)
        {
            var query = qs.AsSpan(q * Dim, Dim);
            index.Search(query, 10, ids, scores);
            var exact = AnnTestData.ExactTop(vectors, Dim, query, 10);
            foreach (var id in ids)
            {
                hits += Array.IndexOf(exact, id) >= 0 ? 1 : 0;
            }
        }

        return hits / (queries * 10.0);
    }

    private static byte[] Serialize(HnswIndex index)
    {
        using var s = new MemoryStream();
        index.Save(s);
        return s.ToArray();
    }
}
