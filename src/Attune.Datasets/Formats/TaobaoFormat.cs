using Attune.Core;
using Attune.Datasets.Parsing;

namespace Attune.Datasets.Formats;

/// <summary>
/// Alibaba Taobao UserBehavior: CSV without a header, <c>user,item,category,behavior,timestamp</c>, behavior
/// <c>pv</c>/<c>cart</c>/<c>fav</c>/<c>buy</c> mapped to view/add_to_cart/bookmark/purchase. Each item is
/// emitted once (before its first event) with its category; the set of items already emitted is bounded,
/// so on a huge file an item may be upserted again, which changes nothing.
/// </summary>
public sealed class TaobaoFormat : IDatasetFormat
{
    public string Name => "taobao";

    public string Description => "Taobao UserBehavior CSV (user,item,category,pv|cart|fav|buy,unix-seconds; no header) or its folder.";

    public IReadOnlyList<DatasetOptionInfo> Options { get; } = [];

    public IEnumerable<DatasetRecord> Read(string path, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        (options ?? DatasetOptions.Empty).Validate(this);
        var files = DatasetPaths.Resolve(path, Name, "UserBehavior*.csv", "*.csv");
        return ReadAll(files, cancellationToken);
    }

    private IEnumerable<DatasetRecord> ReadAll(IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var seen = new SeenSet();
        foreach (var file in files)
        {
            var parser = new Parser(Name, Path.GetFileName(file));
            foreach (var r in LineFile.Read(file, LineFile.Utf8, parser.Parse, cancellationToken))
            {
                if (r is EventRecord { Event: var e } && seen.Add(e.ItemId!))
                {
                    yield return new ItemRecord(new Item(e.ItemId!, Categories: [parser.LastCategory!]), r.Source, r.Line);
                }

                yield return r;
            }
        }
    }

    private sealed class Parser(string format, string source)
    {
        private readonly StringPool _users = new();
        private readonly StringPool _items = new();
        private readonly StringPool _categories = new(100_000);

        public string? LastCategory { get; private set; }

        public DatasetRecord? Parse(ReadOnlySpan<char> line, long n)
        {
            if (line.IsWhiteSpace())
            {
                return null;
            }

            Span<Range> f = stackalloc Range[6];
            var count = line.Split(f, ',');
            if (count != 5)
            {
                return new RejectedRecord($"expected 5 comma-separated fields (user,item,category,behavior,timestamp), found {count}", source, n);
            }

            if (!Fields.TryId(line[f[0]], "user id", _users, out var user, out var error)
                || !Fields.TryId(line[f[1]], "item id", _items, out var item, out error)
                || !Fields.TryId(line[f[2]], "category id", _categories, out var category, out error))
            {
                return new RejectedRecord(error!, source, n);
            }

            var behavior = line[f[3]].Trim();
            var type = behavior switch
            {
                "pv" => EventTypes.View,
                "cart" => EventTypes.AddToCart,
                "fav" => EventTypes.Bookmark,
                "buy" => EventTypes.Purchase,
                _ => null,
            };
            if (type is null)
            {
                return new RejectedRecord($"behavior {Fields.Quote(behavior)} is not pv, cart, fav or buy", source, n);
            }

            var tsText = line[f[4]].Trim();
            if (!Fields.TryLong(tsText, out var seconds) || !Fields.TryUnixSeconds(tsText, out var timestamp))
            {
                return new RejectedRecord($"timestamp {Fields.Quote(tsText)} is not Unix seconds", source, n);
            }

            LastCategory = category;
            var id = EventIds.Composite(format, user, item, type, seconds);
            return new EventRecord(new Event(id, user, item, type, null, timestamp), source, n);
        }
    }
}
