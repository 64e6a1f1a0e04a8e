using Attune.Algorithms.Abstractions;
using Attune.Engine.Models;
using Attune.TestSupport;

namespace Attune.Engine.Tests.Models;

public sealed class ModelRegistryTests
{
    [Fact]
    public async Task A_restarted_registry_loads_the_version_the_pointer_names()
    {
        using var dir = new TempDirectory();
        var before = ModelFixtures.Registry(dir.Path);
        var first = await before.SaveAsync(ModelFixtures.Train("20260101T000000000Z-0001"));
        var second = await before.SaveAsync(ModelFixtures.Train("20260101T000000000Z-0002"));
        await before.PromoteAsync(second);
        await before.ActivateAsync(first.Version, "rollback");

        var after = ModelFixtures.Registry(dir.Path);
        var loaded = await after.LoadActiveAsync();

        Assert.Equal(first.Version, loaded?.Version);
        Assert.Same(loaded, after.Active.Current);
    }

    [Fact]
    public async Task A_corrupt_active_version_is_refused_at_start_and_the_previous_one_serves()
    {
        using var dir = new TempDirectory();
        var before = ModelFixtures.Registry(dir.Path);
        var older = await before.SaveAsync(ModelFixtures.Train("20260101T000000000Z-0001"));
        var newer = await before.SaveAsync(ModelFixtures.Train("20260101T000000000Z-0002"));
        await before.PromoteAsync(newer);
        File.WriteAllText(Path.Combine(before.Store.VersionFolder(newer.Version), "components", "main.atnm"), "garbage");

        var after = ModelFixtures.Registry(dir.Path);
        var loaded = await after.LoadActiveAsync();

        Assert.Equal(older.Version, loaded?.Version);
        Assert.Equal(older.Version, after.Store.ReadActive()?.Version);
        var history = after.Store.ReadHistory(10);
        Assert.Contains(history, h => h.Kind == ModelHistoryKinds.Fallback && h.Version == newer.Version && h.Message.Contains("checksum mismatch", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Activating_a_broken_version_throws_and_leaves_the_active_model_alone()
    {
        using var dir = new TempDirectory();
        var registry = ModelFixtures.Registry(dir.Path);
        var good = await registry.SaveAsync(ModelFixtures.Train("20260101T000000000Z-0001"));
        var bad = await registry.SaveAsync(ModelFixtures.Train("20260101T000000000Z-0002"));
        await registry.PromoteAsync(good);
        File.Delete(Path.Combine(registry.Store.VersionFolder(bad.Version), "users.ids"));

        await Assert.ThrowsAsync<ModelArtifactException>(() => registry.ActivateAsync(bad.Version, "test"));

        Assert.Same(good, registry.Active.Current);
        Assert.Equal(good.Version, registry.Store.ReadActive()?.Version);
    }

    [Fact]
    public async Task Readers_never_fail_or_see_a_torn_model_while_versions_are_swapped_repeatedly()
    {
        using var dir = new TempDirectory();
        var registry = ModelFixtures.Registry(dir.Path);
        var a = await registry.SaveAsync(ModelFixtures.Train("20260101T000000000Z-000a"));
        var b = await registry.SaveAsync(ModelFixtures.Train("20260101T000000000Z-000b", "popularity"));
        await registry.PromoteAsync(a);
        using var stop = new CancellationTokenSource();
        long reads = 0;
        var failures = 0;

        // Dedicated threads: spinning readers on the thread pool would starve the swaps' continuations.
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() =>
        {
            var scores = new float[16];
            while (!stop.IsCancellationRequested)
            {
                var model = registry.Active.Current!;
                var main = model.Get(ServingModel.Main)!;
                var expected = model.Version == a.Version ? "ease" : "popularity";
                if (main.Algorithm != expected || !main.TryScore(model.Users.IndexOf("u1"), scores) || main.Recommend(1, 5).Length != 5)
                {
                    Interlocked.Increment(ref failures);
                }

                Interlocked.Increment(ref reads);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        for (var k = 0; k < 40; k++)
        {
            // Each swap waits for the readers to make progress, so reads interleave with swaps however the
            // thread pool schedules them.
            var before = Interlocked.Read(ref reads);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Interlocked.Read(ref reads) == before && DateTime.UtcNow < deadline)
            {
                await Task.Delay(1);
            }

            await registry.ActivateAsync(k % 2 == 0 ? b.Version : a.Version, "swap");
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.Equal(0, failures);
        Assert.True(reads >= 40, $"only {reads} reads ran during the swaps");
    }
}

public sealed class ModelWarmupTests
{
    [Fact]
    public async Task Warmups_run_on_the_new_model_before_it_is_swapped_in()
    {
        using var dir = new TempDirectory();
        var active = new ActiveModel();
        var warmup = new RecordingWarmup(active);
        var registry = new ModelRegistry(new ModelStore(dir.Path), active, ModelFixtures.Options, Microsoft.Extensions.Logging.Abstractions.NullLogger<ModelRegistry>.Instance, [warmup]);
        var a = await registry.SaveAsync(ModelFixtures.Train("20260101T000000000Z-0001"));
        var b = await registry.SaveAsync(ModelFixtures.Train("20260101T000000000Z-0002"));

        await registry.PromoteAsync(a);
        await registry.ActivateAsync(b.Version, "test");

        Assert.Equal([(a.Version, null), (b.Version, a.Version)], warmup.Seen);
    }

    [Fact]
    public async Task A_failing_warmup_stops_the_activation_and_the_active_model_stays()
    {
        using var dir = new TempDirectory();
        var active = new ActiveModel();
        var registry = new ModelRegistry(new ModelStore(dir.Path), active, ModelFixtures.Options, Microsoft.Extensions.Logging.Abstractions.NullLogger<ModelRegistry>.Instance, [new FailingWarmup()]);
        var a = await registry.SaveAsync(ModelFixtures.Train("20260101T000000000Z-0001"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => registry.ActivateAsync(a.Version, "test"));

        Assert.Null(active.Current);
        Assert.Null(registry.Store.ReadActive());
    }

    private sealed class RecordingWarmup(ActiveModel active) : IModelWarmup
    {
        public List<(string Preparing, string? ServingMeanwhile)> Seen { get; } = [];

        public Task PrepareAsync(ServingModel model, CancellationToken cancellationToken)
        {
            Seen.Add((model.Version, active.Current?.Version));
            return Task.CompletedTask;
        }
    }

    private sealed class FailingWarmup : IModelWarmup
    {
        public Task PrepareAsync(ServingModel model, CancellationToken cancellationToken) => Task.FromException(new InvalidOperationException("index build failed"));
    }
}
