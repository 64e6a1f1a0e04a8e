using Attune.Algorithms.Abstractions;
using Attune.Engine.Models;
using Attune.TestSupport;

namespace Attune.Engine.Tests.Models;

public sealed class ModelStoreTests
{
    [Fact]
    public void Saved_version_loads_back_with_the_same_ids_components_and_scores()
    {
        using var dir = new TempDirectory();
        var store = new ModelStore(dir.Path);
        var model = ModelFixtures.Train();

        var saved = store.Save(model);
        var loaded = store.Load(saved.Version);

        Assert.Equal(64, saved.Info.Checksum.Length);
        Assert.Equal(saved.Info, loaded.Info with { OfflineMetrics = saved.Info.OfflineMetrics });
        Assert.Equal(saved.Info.OfflineMetrics, loaded.Info.OfflineMetrics);
        Assert.Equal(model.Users.Ids, loaded.Users.Ids);
        Assert.Equal(model.Items.Ids, loaded.Items.Ids);
        Assert.Equal(model.Components.Keys.Order(), loaded.Components.Keys.Order());
        foreach (var (name, component) in model.Components)
        {
            Assert.Equal(component.Recommend(3, 5), loaded.Components[name].Recommend(3, 5));
        }

        Assert.Empty(Directory.EnumerateDirectories(store.Root, ".tmp-*"));
    }

    [Fact]
    public void Load_refuses_a_version_whose_component_file_was_changed()
    {
        using var dir = new TempDirectory();
        var store = new ModelStore(dir.Path);
        var saved = store.Save(ModelFixtures.Train());
        var path = Path.Combine(store.VersionFolder(saved.Version), "components", "popularity.atnm");
        var bytes = File.ReadAllBytes(path);
        bytes[^40] ^= 1;
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<ModelArtifactException>(() => store.Load(saved.Version));

        Assert.Contains("checksum mismatch in components/popularity.atnm", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.NotFound);
    }

    [Fact]
    public void Load_refuses_a_version_whose_id_map_was_edited()
    {
        using var dir = new TempDirectory();
        var store = new ModelStore(dir.Path);
        var saved = store.Save(ModelFixtures.Train());
        File.AppendAllText(Path.Combine(store.VersionFolder(saved.Version), "items.ids"), "extra\n");

        var ex = Assert.Throws<ModelArtifactException>(() => store.Load(saved.Version));

        Assert.Contains("items.ids", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_or_malformed_version_is_not_found()
    {
        using var dir = new TempDirectory();
        var store = new ModelStore(dir.Path);

        Assert.True(Assert.Throws<ModelArtifactException>(() => store.Load("20260101T000000000Z-0000")).NotFound);
        Assert.True(Assert.Throws<ModelArtifactException>(() => store.Load("../etc")).NotFound);
    }

    [Fact]
    public void Prune_keeps_the_newest_versions_and_never_deletes_the_active_one()
    {
        using var dir = new TempDirectory();
        var store = new ModelStore(dir.Path);
        var versions = Enumerable.Range(0, 5).Select(k => $"20260101T00000{k}000Z-0000").ToArray();
        var model = ModelFixtures.Train(algorithm: "popularity");
        foreach (var v in versions)
        {
            store.Save(new ServingModel(model.Info with { Version = v }, model.Users, model.Items, model.Components));
        }

        var deleted = store.Prune(keep: 3, active: versions[0]);

        Assert.Equal([versions[2], versions[1]], deleted);
        Assert.Equal([versions[4], versions[3], versions[0]], store.Versions());
    }

    [Fact]
    public void Active_pointer_round_trips_and_history_skips_a_torn_last_line()
    {
        using var dir = new TempDirectory();
        var store = new ModelStore(dir.Path);

        store.WriteActive("20260101T000000000Z-0000", DateTimeOffset.UnixEpoch);
        store.AppendHistory(new ModelHistoryEntry(DateTimeOffset.UnixEpoch, ModelHistoryKinds.Trained, "v", "r", "ok"));
        File.AppendAllText(Path.Combine(store.Root, "history.jsonl"), "{\"at\":");

        Assert.Equal("20260101T000000000Z-0000", store.ReadActive()?.Version);
        Assert.Equal("ok", Assert.Single(store.ReadHistory(10)).Message);
    }
}
