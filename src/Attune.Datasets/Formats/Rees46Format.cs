using System.Text.Json;
using Attune.Core;
using Attune.Datasets.Parsing;

namespace Attune.Datasets.Formats;

/// <summary>
/// REES46 / Open CDP e-commerce events (the Kaggle "eCommerce behavior data from multi category store"
/// monthly CSVs): header <c>event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session</c>.
/// view/cart/remove_from_cart/purchase become view/add_to_cart/remove_from_cart/purchase events with the
/// session id; cart and purchase events carry the price as value. Each product is emitted once (bounded
/// memory, as in <see cref="TaobaoFormat"/>) with its category path as categories (every prefix of the
/// dotted code, so a filter on <c>appliances</c> matches <c>appliances.environment.water_heater</c>),
/// brand, price and category id.
/// </summary>
public sealed class Rees46Format : IDatasetFormat
{
    private static readonly string[] Columns =
        ["event_time", "event_type", "product_id", "category_id", "category_code", "brand", "price", "user_id", "user_session"];

    public string Name => "rees46";

    public string Description => "REES46 e-commerce CSV (event_time,event_type,product_id,...,user_session; header) or its folder.";

    public IReadOnlyList<DatasetOptionInfo> Options { get; } = [];

    public IEnumerable<DatasetRecord> Read(string path, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        (options ?? DatasetOptions.Empty).Validate(this);
        var files = DatasetPaths.Resolve(path, Name, "*.csv", "*.csv.gz");
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
                    yield return new ItemRecord(parser.LastItem!, r.Source, r.Line);
                }

                yield return r;
            }
        }
    }

    private sealed class Parser(string format, string source)
    {
        private readonly StringPool _users = new();
        private readonly StringPool _items = new();
        private readonly StringPool _sessions = new();
        private readonly int[] _map = new int[Columns.Length];

        public Item? LastItem { get; private set; }

        public DatasetRecord? Parse(ReadOnlySpan<char> line, long n)
        {
            if (line.IsWhiteSpace())
            {
                return null;
            }

            if (n == 1)
            {
                return ParseHeader(line.ToString(), n);
            }

            Span<Range> f = stackalloc Range[16];
            var count = Csv.Split(line, ',', f, out var quoted);
            if (count < Columns.Length || count > 15)
            {
                return new RejectedRecord(count < 0 ? "unterminated quoted field" : $"expected {Columns.Length} fields, found {count}", source, n);
            }

            var timeText = line[f[_map[0]]];
            if (!Fields.TryTimestamp(timeText, out var timestamp))
            {
                return new RejectedRecord($"event_time {Fields.Quote(timeText)} is not a time", source, n);
            }

            var kind = line[f[_map[1]]].Trim();
            var type = kind switch
            {
                "view" => EventTypes.View,
                "cart" => EventTypes.AddToCart,
                "remove_from_cart" => EventTypes.RemoveFromCart,
                "purchase" => EventTypes.Purchase,
                _ => null,
            };
            if (type is null)
            {
                return new RejectedRecord($"event_type {Fields.Quote(kind)} is not view, cart, remove_from_cart or purchase", source, n);
            }

            if (!Fields.TryId(line[f[_map[2]]], "product_id", _items, out var item, out var error)
                || !Fields.TryId(line[f[_map[7]]], "user_id", _users, out var user, out error))
            {
                return new RejectedRecord(error!, source, n);
            }

            double? price = null;
            var priceText = line[f[_map[6]]].Trim();
            if (!priceText.IsEmpty)
            {
                if (!Fields.TryDouble(priceText, out var p) || p < 0)
                {
                    return new RejectedRecord($"price {Fields.Quote(priceText)} is not a non-negative number", source, n);
                }

                price = p;
            }

            var sessionText = line[f[_map[8]]].Trim();
            var session = sessionText.IsEmpty ? null : _sessions.Get(sessionText);
            LastItem = BuildItem(line, f, quoted, item, price);
            var id = EventIds.Composite(format, user, item, type, timestamp.ToUnixTimeSeconds()) + ":" + session;
            var value = type is EventTypes.View ? null : price;
            return new EventRecord(new Event(id, user, item, type, value, timestamp, session), source, n);
        }

        private Item BuildItem(ReadOnlySpan<char> line, Span<Range> f, ulong quoted, string id, double? price)
        {
            var code = Csv.Field(line, f[_map[4]], _map[4], quoted).Trim();
            var categories = new List<string>(4);
            if (code.Length > 0)
            {
                for (var dot = code.IndexOf('.'); dot >= 0; dot = code.IndexOf('.', dot + 1))
                {
                    categories.Add(code[..dot]);
                }

                categories.Add(code);
            }

            var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            var categoryId = line[f[_map[3]]].Trim();
            if (!categoryId.IsEmpty)
            {
                properties["categoryId"] = JsonValues.String(categoryId.ToString());
            }

            var brand = Csv.Field(line, f[_map[5]], _map[5], quoted).Trim();
            if (brand.Length > 0)
            {
                properties["brand"] = JsonValues.String(brand);
            }

            return new Item(id, Categories: categories, Tags: brand.Length > 0 ? [brand] : null, Price: price, Properties: properties);
        }

        private RejectedRecord? ParseHeader(string header, long n)
        {
            var names = header.Split(',');
            for (var c = 0; c < Columns.Length; c++)
            {
                var index = Array.FindIndex(names, x => string.Equals(x.Trim().Trim('"'), Columns[c], StringComparison.OrdinalIgnoreCase));
                if (index < 0)
                {
                    throw new DatasetException($"{source} line {n}: header has no '{Columns[c]}' column (expected {string.Join(',', Columns)}).");
                }

                _map[c] = index;
            }

            return null;
        }
    }
}
