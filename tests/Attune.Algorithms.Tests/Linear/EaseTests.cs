using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Linear;
using Attune.Algorithms.Tests.Contract;

namespace Attune.Algorithms.Tests.Linear;

public class EaseContractTests : RecommenderContractTests
{
    protected override IRecommender Fit(TrainingData data, int seed) =>
        EaseTrainer.Train(data.Matrix, new EaseOptions { Lambda = 10 });
}

public class EaseTests
{
    private static UserItemMatrix Matrix(int users, int items, params (int User, int Item)[] pairs) =>
        new(CsrMatrix.FromCoordinates(users, items, pairs.Select(p => p.User).ToArray(), pairs.Select(p => p.Item).ToArray(), Enumerable.Repeat(1f, pairs.Length).ToArray()));

    [Fact]
    public void Two_items_always_together_give_the_hand_solved_weights()
    {
        // X^T X = [[2, 2], [2, 2]]; with lambda = 1, P = (G + I)^-1 = [[3, -2], [-2, 3]] / 5,
        // so B[0, 1] = -P[0, 1] / P[1, 1] = 2/3 and B[1, 0] = 2/3, zero diagonal.
        var x = Matrix(2, 2, (0, 0), (0, 1), (1, 0), (1, 1));

        var model = EaseTrainer.Train(x, new EaseOptions { Lambda = 1 });

        Assert.Equal(0f, model.Weights[0]);
        Assert.Equal(2f / 3, model.Weights[1], 1e-6f);
        Assert.Equal(2f / 3, model.Weights[2], 1e-6f);
        Assert.Equal(0f, model.Weights[3]);
    }

    [Fact]
    public void Three_item_case_matches_the_closed_form_computed_in_double()
    {
        // Users: {0,1}, {1,2}, {0,1,2}; G = [[2,2,1],[2,3,2],[1,2,2]], lambda = 2.
        var x = Matrix(3, 3, (0, 0), (0, 1), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2));
        double[,] g = { { 4, 2, 1 }, { 2, 5, 2 }, { 1, 2, 4 } };
        var p = Invert3(g);

        var model = EaseTrainer.Train(x, new EaseOptions { Lambda = 2 });

        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                var expected = i == j ? 0 : -p[i, j] / p[j, j];
                Assert.Equal(expected, model.Weights[(i * 3) + j], 1e-5);
            }
        }
    }

    [Fact]
    public void Dropout_adds_the_EDLAE_popularity_penalty_to_the_diagonal()
    {
        // Same data, lambda = 2, dropout 1/3: Lambda = 2 I + 0.5 diag(G) = diag(3, 3.5, 3), so
        // G + Lambda = [[5,2,1],[2,6.5,2],[1,2,5]] (Steck 2020, full-rank EDLAE).
        var x = Matrix(3, 3, (0, 0), (0, 1), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2));
        double[,] g = { { 5, 2, 1 }, { 2, 6.5, 2 }, { 1, 2, 5 } };
        var p = Invert3(g);

        var model = EaseTrainer.Train(x, new EaseOptions { Lambda = 2, Dropout = 1f / 3 });

        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                var expected = i == j ? 0 : -p[i, j] / p[j, j];
                Assert.Equal(expected, model.Weights[(i * 3) + j], 1e-5);
            }
        }
    }

    [Fact]
    public void Diagonal_one_gives_the_unconstrained_DLAE_weights()
    {
        // Same data, lambda = 2, no dropout, diag(B) unconstrained: B = (G + 2I)^-1 G (Moon et al. 2023, DLAE).
        var x = Matrix(3, 3, (0, 0), (0, 1), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2));
        double[,] gram = { { 2, 2, 1 }, { 2, 3, 2 }, { 1, 2, 2 } };
        var p = Invert3(new double[,] { { 4, 2, 1 }, { 2, 5, 2 }, { 1, 2, 4 } });

        var model = EaseTrainer.Train(x, new EaseOptions { Lambda = 2, Diagonal = 1 });

        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                var pg = 0.0;
                for (var m = 0; m < 3; m++)
                {
                    pg += p[i, m] * gram[m, j];
                }

                Assert.Equal(i == j ? 0 : pg, model.Weights[(i * 3) + j], 1e-5);
            }
        }
    }

    [Fact]
    public void Partly_relaxed_diagonal_scales_each_column_by_the_larger_of_penalty_and_bound()
    {
        // RDLAE: B = I - P diagMat(mu), mu_j = max(Lambda_jj, (1 - xi) / P_jj). With lambda = 2, dropout 1/3
        // (Lambda = diag(3, 3.5, 3)) and xi = 0.3 the two branches trade places across the items.
        var x = Matrix(3, 3, (0, 0), (0, 1), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2));
        double[] penalty = [3, 3.5, 3];
        var p = Invert3(new double[,] { { 5, 2, 1 }, { 2, 6.5, 2 }, { 1, 2, 5 } });

        var model = EaseTrainer.Train(x, new EaseOptions { Lambda = 2, Dropout = 1f / 3, Diagonal = 0.3f });

        var plain = EaseTrainer.Train(x, new EaseOptions { Lambda = 2, Dropout = 1f / 3 });
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                var mu = Math.Max(penalty[j], 0.7 / p[j, j]);
                Assert.Equal(i == j ? 0 : -p[i, j] * mu, model.Weights[(i * 3) + j], 1e-5);
            }
        }

        Assert.NotEqual(plain.Weights[1], model.Weights[1]);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1.5f)]
    public void Diagonal_bound_outside_zero_to_one_is_refused(float diagonal)
    {
        var ex = Assert.Throws<ArgumentException>(() => EaseTrainer.Train(BlockData.Create().Matrix, new EaseOptions { Diagonal = diagonal }));
        Assert.Contains("diagonal", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    public void Dropout_outside_zero_to_one_is_refused(float dropout)
    {
        var ex = Assert.Throws<ArgumentException>(() => EaseTrainer.Train(BlockData.Create().Matrix, new EaseOptions { Dropout = dropout }));
        Assert.Contains("dropout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fold_in_score_is_the_history_times_B()
    {
        var data = BlockData.Create();
        var model = EaseTrainer.Train(data.Matrix, new EaseOptions { Lambda = 10 });
        var scores = new float[model.ItemCount];

        model.ScoreHistory([3, 7], [1f, 2f], scores);

        for (var j = 0; j < model.ItemCount; j++)
        {
            Assert.Equal(model.Weights[(3 * model.ItemCount) + j] + (2 * model.Weights[(7 * model.ItemCount) + j]), scores[j], 1e-5f);
        }
    }

    [Fact]
    public void A_catalog_over_the_memory_budget_is_refused_with_advice()
    {
        var data = BlockData.Create();

        var ex = Assert.Throws<InsufficientMemoryException>(() => EaseTrainer.Train(data.Matrix, new EaseOptions { MemoryBudgetBytes = 1000 }));

        Assert.Contains("ALS", ex.Message, StringComparison.Ordinal);
        Assert.Contains("item-kNN", ex.Message, StringComparison.Ordinal);
        Assert.Contains("memory budget", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_positive_lambda_is_refused()
    {
        var data = BlockData.Create();
        var ex = Assert.Throws<ArgumentException>(() => EaseTrainer.Train(data.Matrix, new EaseOptions { Lambda = 0 }));
        Assert.Contains("lambda=0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_knows_ease_and_binds_lambda()
    {
        var (algorithm, options) = AlgorithmRegistry.Parse("ease:lambda=250");
        Assert.Equal("ease", algorithm.Name);
        Assert.Equal(250f, ((EaseOptions)options).Lambda);
    }

    private static double[,] Invert3(double[,] m)
    {
        var det = (m[0, 0] * ((m[1, 1] * m[2, 2]) - (m[1, 2] * m[2, 1])))
            - (m[0, 1] * ((m[1, 0] * m[2, 2]) - (m[1, 2] * m[2, 0])))
            + (m[0, 2] * ((m[1, 0] * m[2, 1]) - (m[1, 1] * m[2, 0])));
        var r = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                var a = m[(j + 1) % 3, (i + 1) % 3] * m[(j + 2) % 3, (i + 2) % 3];
                var b = m[(j + 1) % 3, (i + 2) % 3] * m[(j + 2) % 3, (i + 1) % 3];
                r[i, j] = (a - b) / det;
            }
        }

        return r;
    }
}
