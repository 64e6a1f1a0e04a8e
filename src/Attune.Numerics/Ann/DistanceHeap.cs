namespace Attune.Numerics.Ann;

/// <summary>A growable binary heap of (distance, id); the root is the smallest distance, or the largest when built as a max-heap.</summary>
internal sealed class DistanceHeap(bool maxHeap, int capacity)
{
    private float[] _dist = new float[Math.Max(capacity, 4)];
    private int[] _ids = new int[Math.Max(capacity, 4)];

    public int Count { get; private set; }

    public float TopDistance => _dist[0];

    public int TopId => _ids[0];

    public void Clear() => Count = 0;

    public void Push(float distance, int id)
    {
        if (Count == _dist.Length)
        {
            Array.Resize(ref _dist, Count * 2);
            Array.Resize(ref _ids, Count * 2);
        }

        var i = Count++;
        while (i > 0)
        {
            var p = (i - 1) >> 1;
            if (!Before(distance, _dist[p]))
            {
                break;
            }

            _dist[i] = _dist[p];
            _ids[i] = _ids[p];
            i = p;
        }

        _dist[i] = distance;
        _ids[i] = id;
    }

    public void Pop()
    {
        var n = --Count;
        if (n == 0)
        {
            return;
        }

        var d = _dist[n];
        var id = _ids[n];
        var i = 0;
        while (true)
        {
            var l = (2 * i) + 1;
            if (l >= n)
            {
                break;
            }

            var c = l + 1 < n && Before(_dist[l + 1], _dist[l]) ? l + 1 : l;
            if (!Before(_dist[c], d))
            {
                break;
            }

            _dist[i] = _dist[c];
            _ids[i] = _ids[c];
            i = c;
        }

        _dist[i] = d;
        _ids[i] = id;
    }

    private bool Before(float a, float b) => maxHeap ? a > b : a < b;
}
