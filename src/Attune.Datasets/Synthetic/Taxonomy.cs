namespace Attune.Datasets.Synthetic;

/// <summary>A small shop taxonomy: departments, their subcategories, and the words items there are made of.</summary>
internal static class Taxonomy
{
    public static IReadOnlyList<Subcategory> All { get; } =
    [
        new("electronics", "phones", "Phone", 420, ["5G", "dual-sim", "oled", "fast-charge"]),
        new("electronics", "laptops", "Laptop", 900, ["ultrabook", "gaming", "16gb-ram", "ssd"]),
        new("electronics", "audio", "Headphones", 90, ["wireless", "noise-cancelling", "bass", "earbuds"]),
        new("electronics", "cameras", "Camera", 550, ["mirrorless", "4k", "zoom", "compact"]),
        new("home", "kitchen", "Pan", 45, ["non-stick", "cast-iron", "induction", "dishwasher-safe"]),
        new("home", "furniture", "Chair", 160, ["oak", "ergonomic", "foldable", "upholstered"]),
        new("home", "lighting", "Lamp", 55, ["led", "dimmable", "desk", "smart"]),
        new("fashion", "shoes", "Sneakers", 85, ["running", "leather", "waterproof", "vegan"]),
        new("fashion", "jackets", "Jacket", 130, ["down", "rain", "denim", "lightweight"]),
        new("fashion", "bags", "Backpack", 70, ["laptop", "travel", "canvas", "anti-theft"]),
        new("sports", "cycling", "Bike Helmet", 75, ["road", "mtb", "mips", "visor"]),
        new("sports", "fitness", "Dumbbells", 60, ["adjustable", "rubber", "home-gym", "kettlebell"]),
        new("sports", "outdoor", "Tent", 180, ["2-person", "ultralight", "waterproof", "4-season"]),
        new("books", "fiction", "Novel", 15, ["bestseller", "mystery", "sci-fi", "romance"]),
        new("books", "cooking", "Cookbook", 25, ["vegetarian", "baking", "quick", "italian"]),
        new("beauty", "skincare", "Serum", 30, ["vitamin-c", "hyaluronic", "spf", "fragrance-free"]),
        new("beauty", "haircare", "Shampoo", 14, ["sulfate-free", "volume", "repair", "curly"]),
        new("toys", "building", "Building Set", 50, ["bricks", "stem", "ages-8+", "collector"]),
    ];

    public static IReadOnlyList<string> Adjectives { get; } =
        ["Classic", "Pro", "Essential", "Urban", "Compact", "Premium", "Everyday", "Nordic", "Eco", "Ultra", "Smart", "Vintage"];

    public static IReadOnlyList<string> Brands { get; } =
        ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Adatum", "Litware", "Proseware", "Wingtip", "Lucerne", "Alpine"];

    public static IReadOnlyList<string> Colors { get; } = ["black", "white", "blue", "red", "green", "grey"];

    public static IReadOnlyList<string> Countries { get; } = ["DE", "FR", "GB", "NL", "US", "ES", "PL", "SE"];
}

/// <param name="MedianPrice">Median of the log-normal price distribution in this subcategory.</param>
internal sealed record Subcategory(string Department, string Name, string Noun, double MedianPrice, IReadOnlyList<string> Features)
{
    public string Path => Department + "." + Name;
}
