using System.Security.Cryptography;
using System.Text;

namespace Attune.Algorithms.Prediction;

/// <summary>
/// The versioned binary format of a trained <see cref="IBinaryClassifier"/>: magic "ATNC", format version, model
/// kind, options string, feature names, the model's parameters, and a SHA-256 of everything before it. A reader
/// refuses a file whose magic, version, kind or checksum does not match, with a message that says which.
/// </summary>
public static class ClassifierFile
{
    public const int FormatVersion = 1;

    private static readonly byte[] Magic = "ATNC"u8.ToArray();

    public static void Write(Stream output, IBinaryClassifier model)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(model);
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(KindOf(model));
            w.Write(OptionsOf(model));
            w.Write(model.FeatureNames.Count);
            foreach (var name in model.FeatureNames)
            {
                w.Write(name);
            }

            switch (model)
            {
                case LogisticRegressionModel lr:
                    WriteLogistic(w, lr);
                    break;
                case GradientBoostedTreesModel gb:
                    WriteBoosted(w, gb);
                    break;
                case RandomForestModel rf:
                    WriteForest(w, rf);
                    break;
                default:
                    throw new NotSupportedException($"Cannot save a {model.GetType().Name}.");
            }
        }

        var hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        output.Write(body.GetBuffer(), 0, (int)body.Length);
        output.Write(hash);
    }

    public static IBinaryClassifier Read(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var copy = new MemoryStream();
        input.CopyTo(copy);
        var all = copy.GetBuffer().AsSpan(0, (int)copy.Length);
        if (all.Length < Magic.Length + 4 + 32 || !all[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a classifier file (bad magic).");
        }

        var expected = SHA256.HashData(all[..^32]);
        if (!all[^32..].SequenceEqual(expected))
        {
            throw new InvalidDataException("The classifier file is corrupt (checksum mismatch).");
        }

        using var r = new BinaryReader(new MemoryStream(copy.GetBuffer(), Magic.Length, (int)copy.Length - Magic.Length - 32), Encoding.UTF8);
        var version = r.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Classifier file format version {version} is not supported (expected {FormatVersion}).");
        }

        var kind = r.ReadString();
        _ = r.ReadString();
        var count = r.ReadInt32();
        if (count is < 1 or > 100_000)
        {
            throw new InvalidDataException($"The classifier file names {count} features.");
        }

        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = r.ReadString();
        }

        return kind switch
        {
            "logistic" => ReadLogistic(r, names),
            "gbdt" => ReadBoosted(r, names),
            "forest" => ReadForest(r, names),
            _ => throw new InvalidDataException($"Unknown classifier kind '{kind}'."),
        };
    }

    /// <summary>The short name a file stores: <c>logistic</c>, <c>gbdt</c> or <c>forest</c>.</summary>
    public static string KindOf(IBinaryClassifier model) => model switch
    {
        LogisticRegressionModel => "logistic",
        GradientBoostedTreesModel => "gbdt",
        RandomForestModel => "forest",
        _ => throw new NotSupportedException($"Cannot save a {model.GetType().Name}."),
    };

    /// <summary>The model's options as its <c>ToString()</c> prints them, every hyper-parameter named.</summary>
    public static string OptionsOf(IBinaryClassifier model) => model switch
    {
        LogisticRegressionModel m => m.Options.ToString(),
        GradientBoostedTreesModel m => m.Options.ToString(),
        RandomForestModel m => m.Options.ToString(),
        _ => model.GetType().Name,
    };

    private static void WriteLogistic(BinaryWriter w, LogisticRegressionModel m)
    {
        var o = m.Options;
        w.Write(o.L2);
        w.Write(o.Tolerance);
        w.Write(o.MaxIterations);
        for (var i = 0; i < m.FeatureNames.Count; i++)
        {
            w.Write(m.Standardizer.Means[i]);
            w.Write(m.Standardizer.Scales[i]);
            w.Write(m.Coefficients[i]);
        }

        w.Write(m.Intercept);
        w.Write(m.Iterations);
        w.Write(m.Converged);
    }

    private static LogisticRegressionModel ReadLogistic(BinaryReader r, string[] names)
    {
        var options = new LogisticRegressionOptions(r.ReadDouble(), r.ReadDouble(), r.ReadInt32());
        var means = new float[names.Length];
        var scales = new float[names.Length];
        var coefficients = new float[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            means[i] = r.ReadSingle();
            scales[i] = r.ReadSingle();
            coefficients[i] = r.ReadSingle();
        }

        var intercept = r.ReadDouble();
        var iterations = r.ReadInt32();
        var converged = r.ReadBoolean();
        return new LogisticRegressionModel(Standardizer.Create(means, scales, names), coefficients, intercept, [], iterations, converged, options);
    }

    private static void WriteBoosted(BinaryWriter w, GradientBoostedTreesModel m)
    {
        var o = m.Options;
        w.Write(o.Rounds);
        w.Write(o.LearningRate);
        w.Write(o.MaxDepth);
        w.Write(o.MaxLeaves);
        w.Write(o.MinSamplesLeaf);
        w.Write(o.MinHessianLeaf);
        w.Write(o.L2);
        w.Write(o.MinSplitGain);
        w.Write(o.MaxBins);
        w.Write(o.FeatureFraction);
        w.Write(o.EarlyStoppingRounds);
        w.Write(o.Seed);
        w.Write(m.BaseScore);
        WriteTrees(w, m.Trees);
    }

    private static GradientBoostedTreesModel ReadBoosted(BinaryReader r, string[] names)
    {
        var options = new GradientBoostedTreesOptions(
            r.ReadInt32(), r.ReadDouble(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(),
            r.ReadInt32(), r.ReadDouble(), r.ReadInt32(), r.ReadInt32());
        var baseScore = r.ReadDouble();
        return new GradientBoostedTreesModel(names, baseScore, ReadTrees(r, names.Length), [], options);
    }

    private static void WriteForest(BinaryWriter w, RandomForestModel m)
    {
        var o = m.Options;
        w.Write(o.Trees);
        w.Write(o.MaxDepth);
        w.Write(o.MaxLeaves);
        w.Write(o.MinSamplesLeaf);
        w.Write(o.FeatureFraction.HasValue);
        w.Write(o.FeatureFraction ?? 0);
        w.Write(o.Bootstrap);
        w.Write(o.MaxBins);
        w.Write(o.Seed);
        WriteTrees(w, m.Trees);
    }

    private static RandomForestModel ReadForest(BinaryReader r, string[] names)
    {
        var trees = r.ReadInt32();
        var depth = r.ReadInt32();
        var leaves = r.ReadInt32();
        var minLeaf = r.ReadInt32();
        var hasFraction = r.ReadBoolean();
        var fraction = r.ReadDouble();
        var options = new RandomForestOptions(trees, depth, leaves, minLeaf, hasFraction ? fraction : null, r.ReadBoolean(), r.ReadInt32(), r.ReadInt32());
        return new RandomForestModel(names, ReadTrees(r, names.Length), options);
    }

    private static void WriteTrees(BinaryWriter w, IReadOnlyList<DecisionTree> trees)
    {
        w.Write(trees.Count);
        foreach (var t in trees)
        {
            t.Write(w);
        }
    }

    private static DecisionTree[] ReadTrees(BinaryReader r, int featureCount)
    {
        var n = r.ReadInt32();
        if (n is < 1 or > 1_000_000)
        {
            throw new InvalidDataException($"The classifier file holds {n} trees.");
        }

        var trees = new DecisionTree[n];
        for (var i = 0; i < n; i++)
        {
            trees[i] = DecisionTree.Read(r, featureCount);
        }

        return trees;
    }
}
