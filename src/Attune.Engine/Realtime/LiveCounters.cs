using Attune.Algorithms.Abstractions;
using Attune.Numerics;

namespace Attune.Engine.Realtime;

/// <summary>
/// Popularity and trending from the live event stream, by <see cref="LiveCatalog"/> index: popularity is the sum
/// of positive event weights, trending the same sum decayed exponentially with a half-life. They answer cold-start
/// requests before any model exists and keep trending current between trainings. Thread-safe.
/// </summary>
/// <remarks>
/// Trending keeps one number per item in a rescaled form (weight x 2^((t - t0) / halfLife) against a fixed origin
/// t0), so an update is O(1) and nothing decays on a timer; the origin moves forward before the exponent overflows.
/// A top-n query is O(items) with a bounded heap.
/// </remarks>
public sealed class LiveCounters(TimeSpan halfLife)
{
    private readonly Lock _lock = new();
    private readonly double _halfLifeMs = halfLife.TotalMilliseconds;
    private double[] _popular = new double[1024];
    private double[] _trending = new double[1024];
    private long _originMs = long.MinValue;
    private int _count;
    private long _version;

    /// <summary>Changes with every counted event: a top-n list computed at one version holds until it changes.</summary>
    public long Version => Volatile.Read(ref _version);

    public void Add(int item, float weight, long timeMs)
    {
        if (weight <= 0 || item < 0)
        {
            return;
        }

        lock (_lock)
        {
            if (item >= _popular.Length)
            {
                var size = Math.Max(item + 1, _popular.Length * 2);
                Array.Resize(ref _popular, size);
                Array.Resize(ref _trending, size);
            }

            if (_originMs == long.MinValue)
            {
                _originMs = timeMs;
            }

            var exponent = (timeMs - _originMs) / _halfLifeMs;
            if (exponent > 500)
            {
                Rebase(timeMs);
                exponent = 0;
            }

            _popular[item] += weight;
            _trending[item] += weight * Math.Pow(2, exponent);
            _count = Math.Max(_count, item + 1);
            Volatile.Write(ref _version, _version + 1);
        }
    }

    /// <summary>The best <paramref name="n"/> items by popularity or trending, optionally only those <paramref name="allowed"/>.</summary>
    public ScoredItem[] Top(bool trending, int n, Func<int, bool>? allowed = null)
    {
        float[] scores;
        lock (_lock)
        {
            var source = trending ? _trending : _popular;
            scores = new float[_count];
            var max = 0.0;
            for (var i = 0; i < _count; i++)
            {
                max = Math.Max(max, source[i]);
            }

            // Scaled to the leader so trending's rescaled numbers stay inside float range.
            for (var i = 0; i < _count; i++)
            {
                scores[i] = max > 0 ? (float)(source[i] / max) : 0;
            }
        }

        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] <= 0 || (allowed is not null && !allowed(i)))
            {
                scores[i] = float.NegativeInfinity;
            }
        }

        n = Math.Min(n, scores.Length);
        if (n <= 0)
        {
            return [];
        }

        var idx = new int[n];
        var val = new float[n];
        var found = TopK.Select(scores, n, idx, val);
        var result = new List<ScoredItem>(found);
        for (var k = 0; k < found; k++)
        {
            if (float.IsFinite(val[k]))
            {
                result.Add(new ScoredItem(idx[k], val[k]));
            }
        }

        return [.. result];
    }

    private void Rebase(long timeMs)
    {
        var factor = Math.Pow(2, -(timeMs - _originMs) / _halfLifeMs);
        for (var i = 0; i < _count; i++)
        {
            _trending[i] *= factor;
        }

        _originMs = timeMs;
    }
}
