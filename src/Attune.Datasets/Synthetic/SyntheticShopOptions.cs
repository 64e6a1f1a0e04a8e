using System.Globalization;

namespace Attune.Datasets.Synthetic;

/// <summary>
/// The size and the hidden structure of a generated shop. The same options and seed always give the same shop.
/// </summary>
/// <param name="Users">Number of users.</param>
/// <param name="Items">Number of catalog items.</param>
/// <param name="Events">Exact number of events generated.</param>
/// <param name="Seed">Random seed; everything derives from it.</param>
/// <param name="Start">Start of the event window; null means 2025-01-01 UTC (fixed, so output is reproducible).</param>
/// <param name="Days">Length of the event window in days.</param>
/// <param name="PopularityExponent">Zipf exponent of item popularity (rank r gets weight r^-a).</param>
/// <param name="ActivityExponent">Zipf exponent of user activity: a few users make many sessions.</param>
/// <param name="PreferredCategories">Subcategories each user prefers (their planted taste).</param>
/// <param name="TasteStrength">Probability a viewed item comes from the user's preferred subcategories.</param>
/// <param name="MeanViewsPerSession">Mean of the (geometric) number of item views per session.</param>
/// <param name="CartRate">Probability a view of a preferred-category item leads to add_to_cart (a third of it otherwise).</param>
/// <param name="PurchaseRate">Probability an add_to_cart leads to a purchase.</param>
/// <param name="UnavailableShare">Share of items marked unavailable.</param>
/// <param name="PurchaseIntent">Planted purchase intent: the probability that a user starts a research episode on a
/// given day (0, the default, plants none and leaves the shop exactly as without it). An episode is 3-10 views in
/// one preferred subcategory and 1-3 add_to_cart, with no purchase that day; when it had at least 2 carts and at
/// least 6 views (an AND of two thresholds: a nonlinear signal) the user buys one carted item the next day with
/// probability 0.85, otherwise with probability 0.03. Episode events come on top of <see cref="Events"/>.</param>
public sealed record SyntheticShopOptions(
    int Users = 2_000,
    int Items = 500,
    int Events = 50_000,
    int Seed = 42,
    DateTimeOffset? Start = null,
    int Days = 30,
    double PopularityExponent = 1.0,
    double ActivityExponent = 0.8,
    int PreferredCategories = 2,
    double TasteStrength = 0.75,
    double MeanViewsPerSession = 5.0,
    double CartRate = 0.15,
    double PurchaseRate = 0.4,
    double UnavailableShare = 0.05,
    double PurchaseIntent = 0.0)
{
    public static DateTimeOffset DefaultStart { get; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The demo shop: small enough to generate and import in a second or two.</summary>
    public static SyntheticShopOptions Demo { get; } = new();

    public DateTimeOffset EffectiveStart => Start ?? DefaultStart;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        Check(Users >= 1, nameof(Users), "at least 1");
        Check(Items >= 1, nameof(Items), "at least 1");
        Check(Events >= 0, nameof(Events), "0 or more");
        Check(Days >= 1, nameof(Days), "at least 1");
        Check(PopularityExponent is >= 0 and <= 5, nameof(PopularityExponent), "in [0, 5]");
        Check(ActivityExponent is >= 0 and <= 5, nameof(ActivityExponent), "in [0, 5]");
        Check(PreferredCategories >= 1, nameof(PreferredCategories), "at least 1");
        Check(TasteStrength is >= 0 and <= 1, nameof(TasteStrength), "in [0, 1]");
        Check(MeanViewsPerSession >= 1, nameof(MeanViewsPerSession), "at least 1");
        Check(CartRate is >= 0 and <= 1, nameof(CartRate), "in [0, 1]");
        Check(PurchaseRate is >= 0 and <= 1, nameof(PurchaseRate), "in [0, 1]");
        Check(UnavailableShare is >= 0 and <= 1, nameof(UnavailableShare), "in [0, 1]");
        Check(PurchaseIntent is >= 0 and <= 1, nameof(PurchaseIntent), "in [0, 1]");
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"SyntheticShop(users={Users}, items={Items}, events={Events}, seed={Seed}, start={EffectiveStart:O}, days={Days}, " +
        $"popularityExponent={PopularityExponent}, activityExponent={ActivityExponent}, preferredCategories={PreferredCategories}, " +
        $"tasteStrength={TasteStrength}, meanViewsPerSession={MeanViewsPerSession}, cartRate={CartRate}, purchaseRate={PurchaseRate}, " +
        $"unavailableShare={UnavailableShare}, purchaseIntent={PurchaseIntent})");

    private static void Check(bool ok, string name, string range)
    {
        if (!ok)
        {
            throw new ArgumentException($"Synthetic shop option {name} must be {range}.", name);
        }
    }
}
