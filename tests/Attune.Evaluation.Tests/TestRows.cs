using System.Globalization;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Evaluation.Data;

namespace Attune.Evaluation.Tests;

/// <summary>Hand-built interaction rows over fixed universes, for tests whose answers are worked out by hand.</summary>
internal static class TestRows
{
    public static IdMap Ids(int count, string prefix) =>
        new(Enumerable.Range(0, count).Select(i => prefix + i.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Rows (user, item, time) in the given (file) order, weight 1.</summary>
    public static Interactions Make(IdMap users, IdMap items, params (int User, int Item, long Time)[] rows) =>
        new(users, items, [.. rows.Select(r => r.User)], [.. rows.Select(r => r.Item)], [.. rows.Select(r => r.Time)], [.. rows.Select(_ => 1f)]);
}

/// <summary>
/// A test-only model: every item scores 1 / (index + 1), so the ranking prefers smaller indices and the
/// right lists are obvious; users in <paramref name="unknownUsers"/> cannot be scored.
/// </summary>
internal sealed class IndexOrderRecommender(int users, int items, params int[] unknownUsers) : IRecommender
{
    public string Algorithm => "index-order";

    public string Options => "none";

    public int UserCount => users;

    public int ItemCount => items;

    public bool TryScore(int user, Span<float> scores)
    {
        if (Array.IndexOf(unknownUsers, user) >= 0)
        {
            return false;
        }

        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = 1f / (i + 1);
        }

        return true;
    }
}

/// <summary>A test-only model that gives every item the same score, to show ties go to the smaller index.</summary>
internal sealed class ConstantRecommender(int users, int items) : IRecommender
{
    public string Algorithm => "constant";

    public string Options => "none";

    public int UserCount => users;

    public int ItemCount => items;

    public bool TryScore(int user, Span<float> scores)
    {
        scores.Fill(0.5f);
        return true;
    }
}
