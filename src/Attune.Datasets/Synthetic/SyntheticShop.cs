using System.Globalization;
using System.Text.Json;
using Attune.Core;
using Attune.Datasets.Parsing;

namespace Attune.Datasets.Synthetic;

/// <summary>What a generated user is like underneath: the truth a recommender should recover.</summary>
/// <param name="PreferredCategories">Subcategory paths (e.g. <c>electronics.audio</c>) the user mostly browses.</param>
/// <param name="PriceSensitivity">0 ignores price; 2 strongly avoids items above the subcategory median.</param>
/// <param name="Activity">Relative session rate (power law over users).</param>
public sealed record UserTaste(string UserId, IReadOnlyList<string> PreferredCategories, double PriceSensitivity, double Activity);

/// <summary>
/// A deterministic synthetic shop: a catalog over a small taxonomy (titles, text, tags, log-normal prices by
/// subcategory, availability), users with planted tastes (preferred subcategories, price sensitivity,
/// power-law activity), and sessions of view, add_to_cart and purchase events over a time window, with item
/// popularity following a power law. Catalog and users are built at once; events stream, so a
/// 10M-event shop needs no more memory than a small one.
/// </summary>
/// <remarks>
/// Sessions are spread evenly over the window in time order. A session's user is drawn by activity; each
/// view picks, with probability <see cref="SyntheticShopOptions.TasteStrength"/>, an item from one of the
/// user's preferred subcategories, otherwise any item, both by popularity; an expensive item is kept with
/// probability (median/price)^sensitivity. Cost: O(items + users) to build, O(log items) per event.
/// </remarks>
public sealed class SyntheticShop
{
    private readonly Subcategory[] _subcategoryOfItem;
    private readonly int[] _subIndexOfItem;
    private readonly double[] _globalCumulative;
    private readonly int[][] _itemsBySubcategory;
    private readonly double[][] _cumulativeBySubcategory;
    private readonly int[][] _preferredSubcategories;
    private readonly double[] _userCumulative;

    private SyntheticShop(SyntheticShopOptions options)
    {
        options.Validate();
        Options = options;
        var random = new Random(options.Seed);
        var subcategories = Taxonomy.All;

        var items = new Item[options.Items];
        _subcategoryOfItem = new Subcategory[options.Items];
        _subIndexOfItem = new int[options.Items];
        var popularity = ZipfWeightsInRandomOrder(options.Items, options.PopularityExponent, random);
        var itemsBySub = new List<int>[subcategories.Count];
        for (var s = 0; s < subcategories.Count; s++)
        {
            itemsBySub[s] = [];
        }

        for (var i = 0; i < options.Items; i++)
        {
            // Round-robin first so every subcategory has items even in a tiny shop, then random.
            var s = i < subcategories.Count ? i : random.Next(subcategories.Count);
            var sub = subcategories[s];
            _subcategoryOfItem[i] = sub;
            _subIndexOfItem[i] = s;
            itemsBySub[s].Add(i);
            items[i] = MakeItem(i, sub, random, options);
        }

        Items = items;
        _itemsBySubcategory = [.. itemsBySub.Select(l => l.ToArray())];
        _cumulativeBySubcategory = [.. _itemsBySubcategory.Select(ids => Cumulative(ids.Select(i => popularity[i]).ToArray()))];
        _globalCumulative = Cumulative(popularity);

        var activity = ZipfWeightsInRandomOrder(options.Users, options.ActivityExponent, random);
        _userCumulative = Cumulative(activity);
        var users = new User[options.Users];
        var tastes = new UserTaste[options.Users];
        _preferredSubcategories = new int[options.Users][];
        var nonEmpty = Enumerable.Range(0, subcategories.Count).Where(s => _itemsBySubcategory[s].Length > 0).ToArray();
        for (var u = 0; u < options.Users; u++)
        {
            var id = UserId(u);
            var count = Math.Min(options.PreferredCategories, nonEmpty.Length);
            var preferred = nonEmpty.OrderBy(_ => random.Next()).Take(count).ToArray();
            _preferredSubcategories[u] = preferred;
            var sensitivity = Math.Round(random.NextDouble() * 2, 3);
            tastes[u] = new UserTaste(id, [.. preferred.Select(s => subcategories[s].Path)], sensitivity, activity[u]);
            var attributes = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
            {
                ["country"] = JsonValues.String(Taxonomy.Countries[random.Next(Taxonomy.Countries.Count)]),
                ["signupYear"] = JsonValues.Number(2018 + random.Next(8)),
            };
            users[u] = new User(id, attributes);
        }

        Users = users;
        Tastes = tastes;
    }

    public SyntheticShopOptions Options { get; }

    public IReadOnlyList<Item> Items { get; }

    public IReadOnlyList<User> Users { get; }

    /// <summary>The planted truth, one per user in <see cref="Users"/> order.</summary>
    public IReadOnlyList<UserTaste> Tastes { get; }

    /// <summary>Every subcategory path of the taxonomy (<c>department.subcategory</c>).</summary>
    public static IReadOnlyList<string> CategoryPaths { get; } = [.. Taxonomy.All.Select(s => s.Path)];

    public static SyntheticShop Generate(SyntheticShopOptions options) => new(options);

    public static string UserId(int index) => "u" + index.ToString("D5", CultureInfo.InvariantCulture);

    public static string ItemId(int index) => "p" + index.ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>The events, in time order; each enumeration yields the same sequence.</summary>
    public IEnumerable<Event> Events() =>
        Options.PurchaseIntent > 0 ? MergeByTime(RegularEvents(), IntentEvents()) : RegularEvents();

    /// <summary>The probability that a research episode with these counts ends in a purchase the next day.</summary>
    public static double IntentConversion(int views, int carts) => carts >= 2 && views >= 6 ? 0.85 : 0.03;

    private IEnumerable<Event> RegularEvents()
    {
        var o = Options;
        var random = new Random(unchecked((o.Seed * 7919) + 17));
        var windowMs = o.Days * 86_400_000L;
        var sessions = Math.Max(1, (int)Math.Ceiling(o.Events / (o.MeanViewsPerSession * (1 + o.CartRate))));
        var slotMs = Math.Max(1.0, windowMs / (double)sessions);
        var start = o.EffectiveStart.ToUnixTimeMilliseconds();
        var emitted = 0;
        for (var session = 0; emitted < o.Events; session++)
        {
            var user = Sample(_userCumulative, random);
            var userId = Users[user].Id;
            var sessionId = string.Create(CultureInfo.InvariantCulture, $"s{o.Seed}-{session}");
            var t = start + (long)(Math.Min(session, sessions - 1) * slotMs) + (long)(random.NextDouble() * slotMs);
            var views = 1 + Geometric(random, 1.0 / o.MeanViewsPerSession);
            for (var v = 0; v < views && emitted < o.Events; v++)
            {
                var (item, preferred) = PickItem(user, random);
                yield return MakeEvent(emitted++, userId, item, EventTypes.View, null, t, sessionId);
                t += 5_000 + random.Next(115_000);
                var cartRate = preferred ? o.CartRate : o.CartRate / 3;
                if (emitted < o.Events && Items[item].Available && random.NextDouble() < cartRate)
                {
                    yield return MakeEvent(emitted++, userId, item, EventTypes.AddToCart, null, t, sessionId);
                    t += 3_000 + random.Next(60_000);
                    if (emitted < o.Events && random.NextDouble() < o.PurchaseRate)
                    {
                        yield return MakeEvent(emitted++, userId, item, EventTypes.Purchase, Items[item].Price, t, sessionId);
                        t += 3_000 + random.Next(30_000);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The planted purchase-intent episodes (see <see cref="SyntheticShopOptions.PurchaseIntent"/>), from their own
    /// random stream so the regular events stay the same. Day boundaries are midnight UTC counted from the start.
    /// </summary>
    private IEnumerable<Event> IntentEvents()
    {
        const long DayMs = 86_400_000L;
        var o = Options;
        var random = new Random(unchecked((o.Seed * 104_729) + 31));
        var start = o.EffectiveStart.ToUnixTimeMilliseconds();
        var emitted = 0;
        var pending = new List<Event>();
        for (var day = 0; day < o.Days; day++)
        {
            var dayStart = start + (day * DayMs);
            var today = new List<Event>(pending.Where(e => e.Timestamp.ToUnixTimeMilliseconds() < dayStart + DayMs));
            pending.RemoveAll(e => e.Timestamp.ToUnixTimeMilliseconds() < dayStart + DayMs);
            for (var u = 0; u < Users.Count; u++)
            {
                if (random.NextDouble() >= o.PurchaseIntent)
                {
                    continue;
                }

                var userId = Users[u].Id;
                var sessionId = string.Create(CultureInfo.InvariantCulture, $"intent{o.Seed}-{day}-{u}");
                var subs = _preferredSubcategories[u];
                var s = subs[random.Next(subs.Length)];
                var views = 3 + random.Next(8);
                var carts = 1 + random.Next(3);
                var t = dayStart + (long)(random.NextDouble() * 20 * 3_600_000);
                var viewed = new List<int>();
                for (var v = 0; v < views; v++)
                {
                    var item = _itemsBySubcategory[s][Sample(_cumulativeBySubcategory[s], random)];
                    viewed.Add(item);
                    today.Add(MakeEvent($"intent-{emitted++}", userId, item, EventTypes.View, null, t, sessionId));
                    t += 20_000 + random.Next(100_000);
                }

                var carted = new List<int>();
                for (var c = 0; c < carts; c++)
                {
                    var item = viewed[random.Next(viewed.Count)];
                    carted.Add(item);
                    today.Add(MakeEvent($"intent-{emitted++}", userId, item, EventTypes.AddToCart, null, t, sessionId));
                    t += 10_000 + random.Next(60_000);
                }

                if (random.NextDouble() < IntentConversion(views, carts))
                {
                    var item = carted[random.Next(carted.Count)];
                    var at = dayStart + DayMs + (long)(random.NextDouble() * 23 * 3_600_000);
                    pending.Add(MakeEvent($"intent-{emitted++}", userId, item, EventTypes.Purchase, Items[item].Price, at, sessionId + "-buy"));
                }
            }

            foreach (var e in today.OrderBy(e => e.Timestamp))
            {
                yield return e;
            }
        }

        foreach (var e in pending.Where(e => e.Timestamp < o.EffectiveStart.AddDays(o.Days)).OrderBy(e => e.Timestamp))
        {
            yield return e;
        }
    }

    private static IEnumerable<Event> MergeByTime(IEnumerable<Event> a, IEnumerable<Event> b)
    {
        using var x = a.GetEnumerator();
        using var y = b.GetEnumerator();
        var hasX = x.MoveNext();
        var hasY = y.MoveNext();
        while (hasX || hasY)
        {
            if (hasX && (!hasY || x.Current.Timestamp <= y.Current.Timestamp))
            {
                yield return x.Current;
                hasX = x.MoveNext();
            }
            else
            {
                yield return y.Current;
                hasY = y.MoveNext();
            }
        }
    }

    /// <summary>Items, then users, then events, as a dataset reader would give them.</summary>
    public IEnumerable<DatasetRecord> Records()
    {
        const string Source = "synthetic";
        var n = 0L;
        foreach (var item in Items)
        {
            yield return new ItemRecord(item, Source, ++n);
        }

        foreach (var user in Users)
        {
            yield return new UserRecord(user, Source, ++n);
        }

        foreach (var e in Events())
        {
            yield return new EventRecord(e, Source, ++n);
        }
    }

    /// <summary>Writes the events as CSV readable by the <c>csv</c> format (header id,user,item,type,value,timestamp,session).</summary>
    public void WriteEventsCsv(string path)
    {
        using var writer = new StreamWriter(path, append: false, LineFile.Utf8, 1 << 16);
        writer.WriteLine("id,user,item,type,value,timestamp,session");
        foreach (var e in Events())
        {
            writer.Write(e.Id);
            writer.Write(',');
            writer.Write(e.UserId);
            writer.Write(',');
            writer.Write(e.ItemId);
            writer.Write(',');
            writer.Write(e.Type);
            writer.Write(',');
            if (e.Value is { } v)
            {
                writer.Write(v.ToString("R", CultureInfo.InvariantCulture));
            }

            writer.Write(',');
            writer.Write(e.Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.WriteLine(e.SessionId);
        }
    }

    private Event MakeEvent(int n, string user, int item, string type, double? value, long ms, string session) =>
        MakeEvent(n.ToString(CultureInfo.InvariantCulture), user, item, type, value, ms, session);

    private Event MakeEvent(string n, string user, int item, string type, double? value, long ms, string session) =>
        new(
            string.Create(CultureInfo.InvariantCulture, $"synthetic-{Options.Seed}-{n}"),
            user,
            Items[item].Id,
            type,
            value,
            DateTimeOffset.FromUnixTimeMilliseconds(ms),
            session);

    private (int Item, bool Preferred) PickItem(int user, Random random)
    {
        var o = Options;
        for (var attempt = 0; ; attempt++)
        {
            int item;
            var preferred = random.NextDouble() < o.TasteStrength;
            if (preferred)
            {
                var subs = _preferredSubcategories[user];
                var s = subs[random.Next(subs.Length)];
                item = _itemsBySubcategory[s][Sample(_cumulativeBySubcategory[s], random)];
            }
            else
            {
                item = Sample(_globalCumulative, random);
                preferred = Array.IndexOf(_preferredSubcategories[user], _subIndexOfItem[item]) >= 0;
            }

            var price = Items[item].Price ?? _subcategoryOfItem[item].MedianPrice;
            var keep = Math.Min(1.0, Math.Pow(_subcategoryOfItem[item].MedianPrice / price, Tastes[user].PriceSensitivity));
            if (attempt >= 8 || random.NextDouble() < keep)
            {
                return (item, preferred);
            }
        }
    }

    private static Item MakeItem(int index, Subcategory sub, Random random, SyntheticShopOptions options)
    {
        var adjective = Taxonomy.Adjectives[random.Next(Taxonomy.Adjectives.Count)];
        var brand = Taxonomy.Brands[random.Next(Taxonomy.Brands.Count)];
        var color = Taxonomy.Colors[random.Next(Taxonomy.Colors.Count)];
        var f1 = sub.Features[random.Next(sub.Features.Count)];
        var f2 = sub.Features[random.Next(sub.Features.Count)];
        var tags = f1 == f2 ? new[] { f1, color } : new[] { f1, f2, color };

        // Log-normal around the subcategory median: exp(N(ln median, 0.45)).
        var price = Math.Round(sub.MedianPrice * Math.Exp(0.45 * Gaussian(random)), 2);
        var title = $"{brand} {adjective} {sub.Noun}";
        var text = $"{title} in {color}: {string.Join(", ", tags.Take(tags.Length - 1))}. A {sub.Name} pick from our {sub.Department} department.";
        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["brand"] = JsonValues.String(brand),
            ["color"] = JsonValues.String(color),
        };
        return new Item(
            ItemId(index),
            Title: title,
            Categories: [sub.Department, sub.Path],
            Tags: tags,
            Text: text,
            Price: Math.Max(0.99, price),
            Available: random.NextDouble() >= options.UnavailableShare,
            Created: options.EffectiveStart.AddDays(-random.Next(365)),
            Properties: properties);
    }

    private static double[] ZipfWeightsInRandomOrder(int n, double exponent, Random random)
    {
        var ranks = Enumerable.Range(1, n).ToArray();
        random.Shuffle(ranks);
        var weights = new double[n];
        for (var i = 0; i < n; i++)
        {
            weights[i] = Math.Pow(ranks[i], -exponent);
        }

        return weights;
    }

    private static double[] Cumulative(double[] weights)
    {
        var c = new double[weights.Length];
        var sum = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            c[i] = sum;
        }

        return c;
    }

    private static int Sample(double[] cumulative, Random random)
    {
        var x = random.NextDouble() * cumulative[^1];
        var i = Array.BinarySearch(cumulative, x);
        i = i < 0 ? ~i : i + 1;
        return Math.Min(i, cumulative.Length - 1);
    }

    private static int Geometric(Random random, double p) =>
        p >= 1 ? 0 : (int)Math.Floor(Math.Log(1 - random.NextDouble()) / Math.Log(1 - p));

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
