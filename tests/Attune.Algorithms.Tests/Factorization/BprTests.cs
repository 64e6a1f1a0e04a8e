using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Factorization;
using Attune.Algorithms.Tests.Contract;

namespace Attune.Algorithms.Tests.Factorization;

public class BprContractTests : RecommenderContractTests
{
    // One thread: lock-free SGD on two threads is not reproducible update for update.
    protected override IRecommender Fit(TrainingData data, int seed) =>
        BprTrainer.Train(data.Matrix, new BprOptions { Factors = 16, Epochs = 60, Seed = seed, Threads = 1 });
}

public unsafe class BprTests
{
    private static double Objective(float[] u, float[] i, float[] j, float bi, float bj, float reg)
    {
        double x = bi - bj;
        for (var k = 0; k < u.Length; k++)
        {
            x += u[k] * (i[k] - j[k]);
        }

        var norm = (double)(bi * bi) + (bj * bj);
        for (var k = 0; k < u.Length; k++)
        {
            norm += (u[k] * u[k]) + (i[k] * i[k]) + (j[k] * j[k]);
        }

        return -Math.Log(1 + Math.Exp(-x)) - (reg / 2 * norm);
    }

    [Fact]
    public void Step_moves_along_the_gradient_of_the_BPR_objective()
    {
        const int f = 11;
        const float reg = 0.1f;
        const float lr = 1e-3f;
        var rng = new Random(5);
        float[] Vec() => Enumerable.Range(0, f).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var u = Vec();
        var i = Vec();
        var j = Vec();
        float bi = 0.3f, bj = -0.2f;
        var (u1, i1, j1) = ((float[])u.Clone(), (float[])i.Clone(), (float[])j.Clone());
        float bi1 = bi, bj1 = bj;

        fixed (float* pu = u1)
        fixed (float* pi = i1)
        fixed (float* pj = j1)
        {
            BprTrainer.Step(pu, pi, pj, &bi1, &bj1, f, lr, reg);
        }

        // The step is lr times the gradient; compare with central differences of the objective.
        void Check(float[] v, float[] after, string name)
        {
            for (var k = 0; k < f; k++)
            {
                var keep = v[k];
                v[k] = keep + 1e-3f;
                var up = Objective(u, i, j, bi, bj, reg);
                v[k] = keep - 1e-3f;
                var down = Objective(u, i, j, bi, bj, reg);
                v[k] = keep;
                var numeric = (up - down) / 2e-3;
                var analytic = (after[k] - keep) / lr;
                Assert.True(Math.Abs(numeric - analytic) < 2e-3, $"{name}[{k}]: numeric {numeric} vs step {analytic}");
            }
        }

        Check(u, u1, "user");
        Check(i, i1, "positive");
        Check(j, j1, "negative");
        var x0 = Objective(u, i, j, bi + 1e-3f, bj, reg) - Objective(u, i, j, bi - 1e-3f, bj, reg);
        Assert.Equal(x0 / 2e-3, (bi1 - bi) / lr, 2e-3);
    }

    [Fact]
    public void Sampled_loss_decreases_over_epochs()
    {
        var data = BlockData.Create();
        var losses = new List<double>();

        BprTrainer.Train(data.Matrix, new BprOptions { Factors = 16, Epochs = 30, Threads = 1 }, new Progress(losses));

        Assert.Equal(30, losses.Count);
        Assert.True(losses[^5..].Average() < losses[..5].Average() * 0.8, $"loss went from {losses[0]} to {losses[^1]}");
    }

    [Fact]
    public void Two_lock_free_threads_still_learn_the_blocks()
    {
        var data = BlockData.Create();
        var model = BprTrainer.Train(data.Matrix, new BprOptions { Factors = 16, Epochs = 60, Threads = 2 });

        var own = 0;
        for (var u = 0; u < model.UserCount; u++)
        {
            own += model.Recommend(u, 5, data.Matrix.ItemsOf(u)).Count(r => BlockData.BlockOfItem(r.Item) == BlockData.BlockOfUser(u));
        }

        Assert.True(own >= 0.9 * 5 * model.UserCount, $"{own} own-block recommendations");
    }

    [Fact]
    public void Divergence_is_reported_not_hidden()
    {
        var data = BlockData.Create();
        var ex = Assert.ThrowsAny<ArithmeticException>(() => BprTrainer.Train(data.Matrix, new BprOptions { Factors = 8, Epochs = 50, LearningRate = 1e6f, InitScale = 100, Threads = 1 }));
        Assert.Contains("BPR", ex.Message, StringComparison.Ordinal);
    }

    private sealed class Progress(List<double> losses) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => losses.Add(value.Loss);
    }
}

public class FastRandomTests
{
    [Fact]
    public void Next_stays_in_range_and_covers_it_evenly()
    {
        var rng = new FastRandom(7);
        var counts = new int[10];

        for (var i = 0; i < 100_000; i++)
        {
            counts[rng.Next(10)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }
}

public class SeenSetTests
{
    [Fact]
    public void Bitmap_and_binary_search_agree_with_the_matrix_on_every_pair()
    {
        var rng = new Random(3);
        var rows = new List<int>();
        var cols = new List<int>();
        for (var u = 0; u < 40; u++)
        {
            for (var i = 0; i < 130; i++)
            {
                if (rng.NextDouble() < 0.2 || u == 7)
                {
                    rows.Add(u);
                    cols.Add(i);
                }
            }
        }

        var csr = CsrMatrix.FromCoordinates(40, 130, rows.ToArray(), cols.ToArray(), Enumerable.Repeat(1f, rows.Count).ToArray());
        var bitmap = SeenSet.Build(csr);
        var search = SeenSet.Build(csr, maxBitmapBytes: 0);

        Assert.True(bitmap.UsesBitmap);
        Assert.False(search.UsesBitmap);
        for (var u = 0; u < 40; u++)
        {
            var row = csr.RowColumns(u).ToArray();
            for (var i = 0; i < 130; i++)
            {
                var expected = Array.IndexOf(row, i) >= 0;
                Assert.Equal(expected, bitmap.Contains(u, i));
                Assert.Equal(expected, search.Contains(u, i));
            }

            Assert.Equal(u == 7, bitmap.IsFull(u));
        }
    }
}
