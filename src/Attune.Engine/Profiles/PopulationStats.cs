namespace Attune.Engine.Profiles;

/// <summary>
/// The distribution of buyers' last order time, order count and revenue, from which RFM quintile scores are read:
/// a buyer's score is 1 + ⌊5·(buyers with a strictly smaller value) / buyers⌋, capped at 5, so ties share a score
/// and the scores do not depend on the order users were seen. Immutable; rebuilt from all profiles in O(n log n).
/// </summary>
internal sealed class PopulationStats
{
    private readonly long[] _lastOrder;
    private readonly int[] _orders;
    private readonly double[] _revenue;

    public PopulationStats(long[] lastOrder, int[] orders, double[] revenue, long version)
    {
        Array.Sort(lastOrder);
        Array.Sort(orders);
        Array.Sort(revenue);
        _lastOrder = lastOrder;
        _orders = orders;
        _revenue = revenue;
        Version = version;
    }

    public static PopulationStats Empty { get; } = new([], [], [], 0);

    public long Version { get; }

    public int Buyers => _orders.Length;

    public int RecencyScore(long lastOrderMs) => Score(LowerBound(_lastOrder, lastOrderMs), _lastOrder.Length);

    public int FrequencyScore(int orders) => Score(LowerBound(_orders, orders), _orders.Length);

    public int MonetaryScore(double revenue) => Score(LowerBound(_revenue, revenue), _revenue.Length);

    private static int Score(int below, int n) => n == 0 ? 3 : 1 + Math.Min(4, (int)(5L * below / n));

    private static int LowerBound<T>(T[] sorted, T value)
        where T : IComparable<T>
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid].CompareTo(value) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
