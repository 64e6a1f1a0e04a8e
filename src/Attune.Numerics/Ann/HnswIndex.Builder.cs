namespace Attune.Numerics.Ann;

public sealed partial class HnswIndex
{
    /// <summary>Single-threaded insertion (Algorithm 1) with the neighbour heuristic (Algorithm 4).</summary>
    private sealed class Builder
    {
        private readonly HnswIndex _index;
        private readonly int _m;
        private readonly int[] _candIds;
        private readonly float[] _candDist;
        private readonly int[] _selected;
        private readonly int[] _kept;
        private readonly int[] _pruned;
        private readonly int[] _shrinkIds;
        private readonly float[] _shrinkDist;

        public Builder(HnswIndex index)
        {
            _index = index;
            _m = index.Options.M;
            var capacity = Math.Max(index.Options.EfConstruction, (2 * _m) + 1) + 1;
            _candIds = new int[capacity];
            _candDist = new float[capacity];
            _selected = new int[capacity];
            _kept = new int[capacity];
            _pruned = new int[capacity];
            _shrinkIds = new int[(2 * _m) + 1];
            _shrinkDist = new float[(2 * _m) + 1];
        }

        public void InsertAll()
        {
            for (var i = 0; i < _index.Count; i++)
            {
                Insert(i);
            }
        }

        private void Insert(int id)
        {
            var index = _index;
            var level = (int)index._levels[id];
            if (id == 0)
            {
                index._entry = 0;
                index._topLevel = level;
                return;
            }

            var q = new ItemDistanceTo(index, id);
            var ep = index._entry;
            var epDist = q.To(ep);
            for (var layer = index._topLevel; layer > level; layer--)
            {
                (ep, epDist) = index.Greedy(q, ep, epDist, layer);
            }

            _candIds[0] = ep;
            var entryCount = 1;
            var scratch = SearchScratch.Rent(index.Count);
            for (var layer = Math.Min(level, index._topLevel); layer >= 0; layer--)
            {
                if (layer != Math.Min(level, index._topLevel))
                {
                    scratch.Begin(index.Count);
                }

                index.SearchLayer(q, new ReadOnlySpan<int>(_candIds, 0, entryCount), index.Options.EfConstruction, layer, scratch, default(AllowAll));
                var results = scratch.Results;
                var n = results.Count;
                for (var i = n - 1; i >= 0; i--)
                {
                    _candIds[i] = results.TopId;
                    _candDist[i] = results.TopDistance;
                    results.Pop();
                }

                var chosen = SelectNeighbours(_candIds.AsSpan(0, n), _candDist.AsSpan(0, n), _m, _selected);
                var links = index.Links(id, layer);
                links[0] = chosen;
                _selected.AsSpan(0, chosen).CopyTo(links[1..]);
                var capacity = layer == 0 ? 2 * _m : _m;
                for (var j = 0; j < chosen; j++)
                {
                    Connect(_selected[j], id, layer, capacity);
                }

                entryCount = n;
            }

            if (level > index._topLevel)
            {
                index._topLevel = level;
                index._entry = id;
            }
        }

        // Adds the back link to `neighbour`; a full list is re-chosen by the heuristic over its links plus the newcomer.
        private void Connect(int neighbour, int newcomer, int layer, int capacity)
        {
            var index = _index;
            var links = index.Links(neighbour, layer);
            var n = links[0];
            if (n < capacity)
            {
                links[n + 1] = newcomer;
                links[0] = n + 1;
                return;
            }

            var ids = _shrinkIds.AsSpan(0, n + 1);
            var dists = _shrinkDist.AsSpan(0, n + 1);
            for (var j = 0; j < n; j++)
            {
                ids[j] = links[j + 1];
                dists[j] = index.ItemDistance(neighbour, ids[j]);
            }

            ids[n] = newcomer;
            dists[n] = index.ItemDistance(neighbour, newcomer);
            dists.Sort(ids);
            var kept = SelectNeighbours(ids, dists, capacity, _kept);
            links[0] = kept;
            _kept.AsSpan(0, kept).CopyTo(links[1..]);
        }

        // Algorithm 4 without candidate extension: keep a candidate only when it is nearer to the base than to
        // every neighbour already kept, so links spread across directions; then optionally refill with the
        // nearest pruned ones. `ids` are sorted by ascending distance to the base.
        private int SelectNeighbours(ReadOnlySpan<int> ids, ReadOnlySpan<float> dists, int max, Span<int> output)
        {
            if (ids.Length <= max)
            {
                ids.CopyTo(output);
                return ids.Length;
            }

            var index = _index;
            var kept = 0;
            var prunedCount = 0;
            var keepPruned = index.Options.KeepPrunedConnections;
            for (var i = 0; i < ids.Length && kept < max; i++)
            {
                var e = ids[i];
                var good = true;
                for (var r = 0; r < kept; r++)
                {
                    if (index.ItemDistance(e, output[r]) < dists[i])
                    {
                        good = false;
                        break;
                    }
                }

                if (good)
                {
                    output[kept++] = e;
                }
                else if (keepPruned)
                {
                    _pruned[prunedCount++] = e;
                }
            }

            for (var i = 0; i < prunedCount && kept < max; i++)
            {
                output[kept++] = _pruned[i];
            }

            return kept;
        }
    }
}
