using Attune.Storage.Sqlite;
using Attune.Storage.Tests.Conformance;
using Attune.TestSupport;

namespace Attune.Storage.Tests.Sqlite;

public sealed class SqliteStoreConformanceTests : StoreConformanceTests, IDisposable
{
    private readonly List<TempDirectory> _dirs = [];

    protected override async Task<IAttuneStore> CreateStoreAsync()
    {
        var dir = new TempDirectory();
        _dirs.Add(dir);
        return await SqliteStore.OpenAsync(dir.Path);
    }

    protected override async Task<IAttuneStore> ReopenAsync(IAttuneStore store)
    {
        var path = Path.GetDirectoryName(((SqliteStore)store).DatabasePath)!;
        await store.DisposeAsync();
        return await SqliteStore.OpenAsync(path);
    }

    public void Dispose()
    {
        foreach (var d in _dirs)
        {
            d.Dispose();
        }
    }
}
