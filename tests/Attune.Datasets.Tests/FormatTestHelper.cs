using Attune.TestSupport;

namespace Attune.Datasets.Tests;

/// <summary>Writes small inline files into a private folder and reads them back through a format.</summary>
internal sealed class InlineDataset : IDisposable
{
    private readonly TempDirectory _dir = new();

    public string Path => _dir.Path;

    public InlineDataset With(string name, string content)
    {
        System.IO.File.WriteAllText(System.IO.Path.Combine(_dir.Path, name), content, name.StartsWith("u.", StringComparison.Ordinal) || name.EndsWith(".dat", StringComparison.Ordinal) ? System.Text.Encoding.Latin1 : System.Text.Encoding.UTF8);
        return this;
    }

    public string File(string name) => System.IO.Path.Combine(_dir.Path, name);

    public List<DatasetRecord> Read(string format, params (string Key, string Value)[] options) =>
        [.. DatasetFormats.Read(format, _dir.Path, new DatasetOptions(options.Select(o => new KeyValuePair<string, string>(o.Key, o.Value))))];

    public void Dispose() => _dir.Dispose();
}

internal static class RecordExtensions
{
    public static List<Core.Event> Events(this IEnumerable<DatasetRecord> records) => [.. records.OfType<EventRecord>().Select(r => r.Event)];

    public static List<Core.Item> Items(this IEnumerable<DatasetRecord> records) => [.. records.OfType<ItemRecord>().Select(r => r.Item)];

    public static List<Core.User> Users(this IEnumerable<DatasetRecord> records) => [.. records.OfType<UserRecord>().Select(r => r.User)];

    public static List<RejectedRecord> Rejected(this IEnumerable<DatasetRecord> records) => [.. records.OfType<RejectedRecord>()];
}
