using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Factorization;
using Attune.Algorithms.Tests.Contract;

namespace Attune.Algorithms.Tests.Factorization;

public class SoftmaxContractTests : RecommenderContractTests
{
    protected override IRecommender Fit(TrainingData data, int seed) =>
        SoftmaxTrainer.Train(data.Matrix, new SoftmaxOptions { Factors = 16, Epochs = 40, Negatives = 16, Seed = seed, Threads = 1 });
}

public class SoftmaxAdamContractTests : RecommenderContractTests
{
    protected override IRecommender Fit(TrainingData data, int seed) =>
        SoftmaxTrainer.Train(data.Matrix, new SoftmaxOptions { Factors = 16, Epochs = 40, Negatives = 16, Optimizer = SoftmaxOptimizer.Adam, LearningRate = 0.003f, Seed = seed, Threads = 1 });
}

public class SoftmaxTests
{
    [Fact]
    public void Uniform_negatives_also_learn_the_blocks()
    {
        var data = BlockData.Create();
        var model = SoftmaxTrainer.Train(data.Matrix, new SoftmaxOptions { Factors = 16, Epochs = 40, Negatives = 16, Sampler = NegativeSampler.Uniform, Threads = 1 });

        var own = 0;
        for (var u = 0; u < model.UserCount; u++)
        {
            own += model.Recommend(u, 5, data.Matrix.ItemsOf(u)).Count(r => BlockData.BlockOfItem(r.Item) == BlockData.BlockOfUser(u));
        }

        Assert.True(own >= 0.9 * 5 * model.UserCount, $"{own} own-block recommendations");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gradients_match_central_differences_of_the_sampled_softmax_loss(bool logQ)
    {
        const int f = 5;
        const int items = 9;
        var rng = new Random(3);
        float[] Table(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var input = Table(items * f);
        var output = Table(items * f);
        var bias = Table(items);
        var q = logQ ? Enumerable.Range(0, items).Select(i => (float)Math.Log((i + 1) / 45.0)).ToArray() : [];
        int[] history = [1, 4, 6, 7];
        float[] weights = [1f, 2f, 0.5f, 1f];
        int[] positives = [0, 2];

        // Negative 4 is an accidental hit for nothing; negative 6 is a hit for positive index 2 and is dropped there.
        int[] negatives = [0, 3, 6, 8];
        var grads = new SoftmaxGradients(f, 2, negatives.Length);
        double Loss() => new SoftmaxGradients(f, 2, negatives.Length).Compute(history, weights, positives, negatives, q, input, output, bias);

        grads.Compute(history, weights, positives, negatives, q, input, output, bias);
        var dOutput = new double[items * f];
        var dBias = new double[items];
        var dInput = new double[items * f];
        for (var s = 0; s < grads.SlotCount; s++)
        {
            for (var k = 0; k < f; k++)
            {
                dOutput[(grads.SlotItem[s] * f) + k] += grads.SlotGradOutput[(s * f) + k];
            }

            dBias[grads.SlotItem[s]] += grads.SlotGradBias[s];
        }

        for (var h = 0; h < history.Length; h++)
        {
            for (var k = 0; k < f; k++)
            {
                dInput[(history[h] * f) + k] += weights[h] * grads.HistoryDirection[k];
            }
        }

        for (var p = 0; p < grads.PositiveCount; p++)
        {
            for (var k = 0; k < f; k++)
            {
                dInput[(grads.PositiveItem[p] * f) + k] -= weights[positives[p]] * grads.PositiveCorrection[(p * f) + k];
            }
        }

        void Check(float[] table, double[] analytic, string name)
        {
            for (var t = 0; t < table.Length; t++)
            {
                var keep = table[t];
                table[t] = keep + 1e-2f;
                var up = Loss();
                table[t] = keep - 1e-2f;
                var down = Loss();
                table[t] = keep;
                var numeric = (up - down) / 2e-2;
                Assert.True(Math.Abs(numeric - analytic[t]) < 1e-3, $"{name}[{t}]: numeric {numeric} vs analytic {analytic[t]}");
            }
        }

        Check(input, dInput, "input");
        Check(output, dOutput, "output");
        Check(bias, dBias, "bias");
    }

    [Fact]
    public void Log_uniform_sampling_probabilities_sum_to_one_and_favour_popular_items()
    {
        var data = BlockData.Create();
        var sampler = new SoftmaxTrainer.Sampler(data.Matrix, NegativeSampler.LogUniform);

        var total = sampler.LogQ.Sum(l => Math.Exp(l));
        var popularity = new int[data.Matrix.Items];
        foreach (var i in data.Matrix.Csr.ColumnIndex)
        {
            popularity[i]++;
        }

        var most = Array.IndexOf(popularity, popularity.Max());
        var least = Array.IndexOf(popularity, popularity.Min());
        Assert.Equal(1.0, total, 1e-4);
        Assert.True(sampler.LogQ[most] > sampler.LogQ[least]);
    }

    [Fact]
    public void Loss_decreases_over_epochs()
    {
        var data = BlockData.Create();
        var losses = new List<double>();

        SoftmaxTrainer.Train(data.Matrix, new SoftmaxOptions { Factors = 16, Epochs = 30, Negatives = 16, Threads = 1 }, new Progress(losses));

        Assert.True(losses[^5..].Average() < losses[..5].Average() * 0.95, $"loss went from {losses[0]} to {losses[^1]}");
    }

    [Fact]
    public void Fold_in_of_a_training_history_equals_the_known_user_scores()
    {
        var data = BlockData.Create();
        var model = SoftmaxTrainer.Train(data.Matrix, new SoftmaxOptions { Factors = 8, Epochs = 5, Threads = 1 });
        var a = new float[model.ItemCount];
        var b = new float[model.ItemCount];

        model.TryScore(3, a);
        model.ScoreHistory(data.Matrix.ItemsOf(3), data.Matrix.WeightsOf(3), b);

        Assert.Equal(a, b);
    }

    private sealed class Progress(List<double> losses) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => losses.Add(value.Loss);
    }
}
