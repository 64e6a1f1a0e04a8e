using System.Globalization;
using System.Text.Json;
using Attune.Algorithms.Prediction;

namespace Attune.Engine.Prediction;

/// <summary>
/// Trained predictors in the data folder: <c>predictors/{task}_{N}d/v{version}.model</c> (<see cref="ClassifierFile"/>)
/// next to <c>v{version}.report.json</c>. Versions count up from 1 per task and horizon; the highest is the latest.
/// Files are written to a temporary name and moved into place, so a reader never sees half a file.
/// </summary>
public sealed class PredictorRepository(string dataDir)
{
    private readonly string _root = Path.Combine(dataDir ?? throw new ArgumentNullException(nameof(dataDir)), "predictors");
    private readonly Lock _lock = new();

    /// <summary>The next version number to use for <paramref name="task"/>.</summary>
    public int NextVersion(PredictionTask task) => (Versions(task).LastOrDefault()) + 1;

    public IReadOnlyList<int> Versions(PredictionTask task)
    {
        var dir = Folder(task);
        if (!Directory.Exists(dir))
        {
            return [];
        }

        var versions = new List<int>();
        foreach (var file in Directory.EnumerateFiles(dir, "v*.report.json"))
        {
            var name = Path.GetFileName(file);
            if (int.TryParse(name.AsSpan(1, name.Length - "v".Length - ".report.json".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                && File.Exists(ModelPath(task, v)))
            {
                versions.Add(v);
            }
        }

        versions.Sort();
        return versions;
    }

    /// <summary>Stores a predictor under its report's version.</summary>
    public void Save(TrainedPredictor predictor)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        lock (_lock)
        {
            Directory.CreateDirectory(Folder(predictor.Task));
            var version = predictor.Report.Version;
            WriteAtomically(ModelPath(predictor.Task, version), s => ClassifierFile.Write(s, predictor.Model));
            WriteAtomically(ReportPath(predictor.Task, version), s => JsonSerializer.Serialize(s, predictor.Report, PredictionJsonContext.Default.PredictorReport));
        }
    }

    /// <summary>The latest report, or null when the task was never trained.</summary>
    public PredictorReport? LatestReport(PredictionTask task)
    {
        var versions = Versions(task);
        return versions.Count == 0 ? null : ReadReport(task, versions[^1]);
    }

    /// <summary>The latest predictor, or null when the task was never trained.</summary>
    public TrainedPredictor? Latest(PredictionTask task)
    {
        var versions = Versions(task);
        if (versions.Count == 0)
        {
            return null;
        }

        var v = versions[^1];
        using var stream = File.OpenRead(ModelPath(task, v));
        return new TrainedPredictor(task, ClassifierFile.Read(stream), ReadReport(task, v));
    }

    private PredictorReport ReadReport(PredictionTask task, int version)
    {
        using var stream = File.OpenRead(ReportPath(task, version));
        return JsonSerializer.Deserialize(stream, PredictionJsonContext.Default.PredictorReport)
            ?? throw new InvalidDataException($"{ReportPath(task, version)} holds no report.");
    }

    private string Folder(PredictionTask task) => Path.Combine(_root, task.ScoreName);

    private string ModelPath(PredictionTask task, int version) =>
        Path.Combine(Folder(task), string.Create(CultureInfo.InvariantCulture, $"v{version}.model"));

    private string ReportPath(PredictionTask task, int version) =>
        Path.Combine(Folder(task), string.Create(CultureInfo.InvariantCulture, $"v{version}.report.json"));

    private static void WriteAtomically(string path, Action<Stream> write)
    {
        var temp = path + ".tmp";
        using (var stream = File.Create(temp))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
