using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Linear;
using Attune.Algorithms.Tests.Contract;

namespace Attune.Algorithms.Tests.Linear;

public class UserEaseContractTests : RecommenderContractTests
{
    protected override IRecommender Fit(TrainingData data, int seed) =>
        UserEaseTrainer.Train(data.Matrix, new EaseOptions { Lambda = 10 });
}

public class UserEaseTests
{
    [Fact]
    public void Scores_are_the_other_users_histories_weighted_by_EASE_on_the_transposed_matrix()
    {
        // Four users over three items; the user x user closed form is EASE with users as the inputs, so user
        // u's score of item j is sum_v X[v, j] B[v, u] with B from EASE on X^T.
        int[] users = [0, 0, 1, 1, 2, 2, 2, 3];
        int[] items = [0, 1, 1, 2, 0, 1, 2, 2];
        var x = new UserItemMatrix(CsrMatrix.FromCoordinates(4, 3, users, items, Enumerable.Repeat(1f, users.Length).ToArray()));
        var transposed = new UserItemMatrix(CsrMatrix.FromCoordinates(3, 4, items, users, Enumerable.Repeat(1f, users.Length).ToArray()));
        var options = new EaseOptions { Lambda = 1.5f, Dropout = 0.2f };
        var b = EaseTrainer.Train(transposed, options).Weights.ToArray();
        var dense = new float[4, 3];
        for (var k = 0; k < users.Length; k++)
        {
            dense[users[k], items[k]] = 1;
        }

        var model = UserEaseTrainer.Train(x, options);

        var scores = new float[3];
        for (var u = 0; u < 4; u++)
        {
            Assert.True(model.TryScore(u, scores));
            for (var j = 0; j < 3; j++)
            {
                var expected = 0.0;
                for (var v = 0; v < 4; v++)
                {
                    expected += dense[v, j] * b[(v * 4) + u];
                }

                Assert.Equal(expected, scores[j], 1e-5);
            }
        }
    }

    [Fact]
    public void Registry_knows_user_ease_and_binds_the_EASE_options()
    {
        var (algorithm, options) = AlgorithmRegistry.Parse("user-ease:lambda=1000,dropout=0.2,diagonal=1");
        Assert.Equal("user-ease", algorithm.Name);
        Assert.Equal(new EaseOptions { Lambda = 1000, Dropout = 0.2f, Diagonal = 1 }, (EaseOptions)options);
    }
}
