using Attune.Algorithms.Data;
using Attune.Core;
using Attune.Engine.Models;
using Attune.Engine.Options;
using Microsoft.Extensions.Logging.Abstractions;

namespace Attune.Engine.Tests.Models;

/// <summary>Small trained models and registries over a private folder.</summary>
internal static class ModelFixtures
{
    public static ModelsOptions Options { get; } = new() { Algorithm = "ease:lambda=10", KeepVersions = 3 };

    /// <summary>Two groups of users, each viewing items of its own group, in time order.</summary>
    public static InteractionSnapshot Snapshot(int users = 20, int items = 16, int perUser = 8, int seed = 3)
    {
        var random = new Random(seed);
        var n = users * perUser;
        var userIndex = new int[n];
        var itemIndex = new int[n];
        var time = new long[n];
        var r = 0;
        for (var t = 0; t < perUser; t++)
        {
            for (var u = 0; u < users; u++)
            {
                userIndex[r] = u;
                itemIndex[r] = ((u % 2) * (items / 2)) + random.Next(items / 2);
                time[r] = 1_700_000_000_000 + (r * 60_000L);
                r++;
            }
        }

        var value = new float[n];
        Array.Fill(value, float.NaN);
        return new InteractionSnapshot(
            [.. Enumerable.Range(0, users).Select(u => $"u{u}")],
            [.. Enumerable.Range(0, items).Select(i => $"i{i}")],
            [EventTypes.View],
            userIndex,
            itemIndex,
            new byte[n],
            value,
            time);
    }

    public static ServingModel Train(string? version = null, string? algorithm = null, ModelsOptions? options = null)
    {
        var trainer = new ModelTrainer(options ?? Options, EventTypeRegistry.Default);
        var catalog = Enumerable.Range(0, 16).Select(i => new Item($"i{i}", Title: $"item {i}", Categories: [$"g{i / 8}"])).ToArray();
        var data = trainer.BuildData(Snapshot(), catalog);
        var trained = trainer.Train(data, algorithm, null, CancellationToken.None);
        var info = new ModelVersionInfo(
            version ?? ModelStore.NewVersion(DateTimeOffset.UtcNow),
            trained.MainSpec,
            trained.MainOptions,
            1_700_000_000_000,
            1_700_000_000_000,
            data.Matrix.Csr.NonZeros,
            new Dictionary<string, double> { ["ndcg@10"] = 0.5 },
            DateTimeOffset.UtcNow,
            string.Empty);
        return new ServingModel(info, data.Users, data.Items, trained.Components);
    }

    public static ModelRegistry Registry(string dataDir, ActiveModel? active = null, ModelsOptions? options = null) =>
        new(new ModelStore(dataDir), active ?? new ActiveModel(), options ?? Options, NullLogger<ModelRegistry>.Instance);
}
