using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Factorization;
using Attune.Algorithms.Tests.Contract;
using Attune.Numerics;

namespace Attune.Algorithms.Tests.Factorization;

public class AlsContractTests : RecommenderContractTests
{
    protected override IRecommender Fit(TrainingData data, int seed) =>
        AlsTrainer.Train(data.Matrix, new AlsOptions { Factors = 8, Iterations = 8, Seed = seed });
}

public class AlsTests
{
    private sealed class Recorder : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];

        public void Report(TrainingProgress value) => Reports.Add(value);
    }

    [Fact]
    public void Loss_decreases_over_iterations()
    {
        var data = BlockData.Create();
        var progress = new Recorder();

        AlsTrainer.Train(data.Matrix, new AlsOptions { Factors = 8, Iterations = 6 }, progress);

        Assert.Equal(6, progress.Reports.Count);
        Assert.All(progress.Reports, r => Assert.True(double.IsFinite(r.Loss)));
        Assert.True(progress.Reports[^1].Loss < progress.Reports[0].Loss, $"loss went from {progress.Reports[0].Loss} to {progress.Reports[^1].Loss}");
        for (var i = 1; i < progress.Reports.Count; i++)
        {
            Assert.True(progress.Reports[i].Loss <= progress.Reports[i - 1].Loss * 1.001, $"loss rose at iteration {i + 1}");
        }
    }

    [Fact]
    public void Fold_in_of_a_training_user_agrees_with_the_trained_scores()
    {
        var data = BlockData.Create();
        var model = AlsTrainer.Train(data.Matrix, new AlsOptions { Factors = 8, Iterations = 15, CgSteps = 8 });
        var trained = new float[model.ItemCount];
        var folded = new float[model.ItemCount];

        for (var u = 0; u < 10; u++)
        {
            model.TryScore(u, trained);
            model.ScoreHistory(data.Matrix.ItemsOf(u), data.Matrix.WeightsOf(u), folded);

            // The fold-in solves exactly what the last sweep solved with a few CG steps.
            for (var i = 0; i < trained.Length; i++)
            {
                Assert.Equal(trained[i], folded[i], 0.05f);
            }
        }
    }

    [Fact]
    public void Thread_count_does_not_change_the_model()
    {
        var data = BlockData.Create();
        var one = AlsTrainer.Train(data.Matrix, new AlsOptions { Factors = 8, Iterations = 3, Threads = 1 });
        var two = AlsTrainer.Train(data.Matrix, new AlsOptions { Factors = 8, Iterations = 3, Threads = 2 });

        Assert.Equal(one.UserFactors.ToArray(), two.UserFactors.ToArray());
        Assert.Equal(one.ItemFactors.ToArray(), two.ItemFactors.ToArray());
    }

    [Fact]
    public void Options_string_lists_every_hyper_parameter_and_parses_back()
    {
        var options = new AlsOptions { Factors = 16, Alpha = 3f };
        var (algorithm, parsed) = AlgorithmRegistry.Parse("als:" + options);

        Assert.Equal("als", algorithm.Name);
        Assert.Equal(options, parsed);
        foreach (var p in typeof(AlsOptions).GetProperties())
        {
            Assert.Contains(string.Concat(p.Name.Select((c, i) => i > 0 && char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString())) + "=", options.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Negative_weights_are_refused_with_a_clear_message()
    {
        var csr = CsrMatrix.FromCoordinates(2, 2, [0, 1], [0, 1], [1f, -1f]);
        var ex = Assert.Throws<ArgumentException>(() => AlsTrainer.Train(new UserItemMatrix(csr), new AlsOptions { Factors = 2, Iterations = 1 }));
        Assert.Contains("non-negative", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_name_the_option()
    {
        var data = BlockData.Create();
        var ex = Assert.Throws<ArgumentException>(() => AlsTrainer.Train(data.Matrix, new AlsOptions { Factors = 0 }));
        Assert.Contains("factors=0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_stops_training()
    {
        var data = BlockData.Create();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => AlsTrainer.Train(data.Matrix, new AlsOptions(), null, cts.Token));
    }

    [Fact]
    public void Recommend_all_with_gemm_matches_per_user_recommend()
    {
        var data = BlockData.Create();
        var model = AlsTrainer.Train(data.Matrix, new AlsOptions { Factors = 8, Iterations = 5 });

        var all = LatentFactors.RecommendAll(model, 5, data.Matrix, threads: 2);

        for (var u = 0; u < model.UserCount; u++)
        {
            var one = model.Recommend(u, 5, data.Matrix.ItemsOf(u)).Select(r => r.Item).ToArray();
            Assert.Equal(one, all[u]);
        }
    }

    [Fact]
    public void Frequency_scaled_penalty_grows_with_the_rows_total_confidence()
    {
        var data = BlockData.Create();
        var options = new AlsOptions { Regularization = 0.001f, RegularizationExponent = 1f, Alpha = 4f };
        var r = data.Matrix.Csr;

        var penalties = AlsTrainer.RowPenalties(r, options)!;

        for (var u = 0; u < r.Rows; u++)
        {
            var weight = r.RowValues(u).ToArray().Sum();
            Assert.Equal(0.001 * (r.Columns + (4 * weight)), penalties[u], 1e-4);
        }

        Assert.Null(AlsTrainer.RowPenalties(r, options with { RegularizationExponent = 0f }));
    }

    [Fact]
    public void Frequency_scaled_penalty_changes_the_model_and_the_loss_still_decreases()
    {
        var data = BlockData.Create();
        var progress = new Recorder();

        var plain = AlsTrainer.Train(data.Matrix, new AlsOptions { Factors = 8, Iterations = 6, Regularization = 0.01f });
        var scaled = AlsTrainer.Train(data.Matrix, new AlsOptions { Factors = 8, Iterations = 6, Regularization = 0.01f, RegularizationExponent = 1f }, progress);

        Assert.NotEqual(plain.UserFactors.ToArray(), scaled.UserFactors.ToArray());
        Assert.True(progress.Reports[^1].Loss < progress.Reports[0].Loss, $"loss went from {progress.Reports[0].Loss} to {progress.Reports[^1].Loss}");

        // A penalty of 0.01 * (items + alpha * weight) is far heavier than 0.01: the factors shrink.
        var plainNorm = System.Numerics.Tensors.TensorPrimitives.Norm<float>(plain.UserFactors.Span);
        var scaledNorm = System.Numerics.Tensors.TensorPrimitives.Norm<float>(scaled.UserFactors.Span);
        Assert.True(scaledNorm < plainNorm, $"norms {scaledNorm} vs {plainNorm}");
    }

    [Fact]
    public void Fold_in_with_the_frequency_scaled_penalty_agrees_with_the_trained_scores_after_a_save()
    {
        var data = BlockData.Create();
        var trainedModel = AlsTrainer.Train(data.Matrix, new AlsOptions { Factors = 8, Iterations = 15, CgSteps = 8, Regularization = 0.002f, RegularizationExponent = 1f });
        using var ms = new MemoryStream();
        Attune.Algorithms.Serialization.ModelFile.Write(ms, trainedModel);
        ms.Position = 0;
        var model = (AlsModel)Attune.Algorithms.Serialization.ModelFile.Read(ms);
        var trained = new float[model.ItemCount];
        var folded = new float[model.ItemCount];

        Assert.Equal(1f, model.RegularizationExponent);
        for (var u = 0; u < 10; u++)
        {
            model.TryScore(u, trained);
            model.ScoreHistory(data.Matrix.ItemsOf(u), data.Matrix.WeightsOf(u), folded);

            for (var i = 0; i < trained.Length; i++)
            {
                Assert.Equal(trained[i], folded[i], 0.05f);
            }
        }
    }

    [Fact]
    public void A_regularization_exponent_outside_its_range_is_refused()
    {
        var data = BlockData.Create();
        var ex = Assert.Throws<ArgumentException>(() => AlsTrainer.Train(data.Matrix, new AlsOptions { RegularizationExponent = -1f }));
        Assert.Contains("regularizationExponent=-1", ex.Message, StringComparison.Ordinal);
    }
}
