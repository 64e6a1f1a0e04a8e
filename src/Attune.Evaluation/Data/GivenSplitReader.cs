using System.Globalization;
using Attune.Algorithms.Data;

namespace Attune.Evaluation.Data;

/// <summary>
/// Reads a fixed train/test pair in the LightGCN-style layout (CoLaKG's <c>train.txt</c> / <c>test.txt</c>):
/// one line per user, <c>userIndex itemIndex itemIndex ...</c>, space separated, 0-based. Users and items
/// share one universe across both files (item count = largest index + 1), so a model ranks every item.
/// The files carry no time: rows get timestamp 0 and keep their file order.
/// </summary>
public static class GivenSplitReader
{
    /// <summary>Reads <c>train.txt</c> and <c>test.txt</c> from <paramref name="folder"/>.</summary>
    public static (Interactions Train, Interactions Test) ReadFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new EvaluationException($"Folder '{folder}' does not exist (give the folder holding train.txt and test.txt).");
        }

        return Read(Path.Combine(folder, "train.txt"), Path.Combine(folder, "test.txt"));
    }

    public static (Interactions Train, Interactions Test) Read(string trainFile, string testFile)
    {
        var train = ReadLines(trainFile);
        var test = ReadLines(testFile);
        return Build(train, test);
    }

    /// <summary>Parses the two files' text (for tests and in-memory use).</summary>
    public static (Interactions Train, Interactions Test) Parse(string trainText, string testText, string trainName = "train", string testName = "test") =>
        Build(ParseText(trainText, trainName), ParseText(testText, testName));

    private static (Interactions Train, Interactions Test) Build(List<(int User, int Item)> train, List<(int User, int Item)> test)
    {
        var users = 0;
        var items = 0;
        foreach (var (u, i) in train.Concat(test))
        {
            users = Math.Max(users, u + 1);
            items = Math.Max(items, i + 1);
        }

        var userMap = new IdMap(Enumerable.Range(0, users).Select(u => u.ToString(CultureInfo.InvariantCulture)));
        var itemMap = new IdMap(Enumerable.Range(0, items).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        return (ToRows(train, userMap, itemMap), ToRows(test, userMap, itemMap));
    }

    private static Interactions ToRows(List<(int User, int Item)> pairs, IdMap users, IdMap items)
    {
        var u = new int[pairs.Count];
        var i = new int[pairs.Count];
        var w = new float[pairs.Count];
        for (var k = 0; k < pairs.Count; k++)
        {
            (u[k], i[k]) = pairs[k];
            w[k] = 1f;
        }

        return new Interactions(users, items, u, i, new long[pairs.Count], w);
    }

    private static List<(int User, int Item)> ReadLines(string file)
    {
        if (!File.Exists(file))
        {
            throw new EvaluationException($"File '{file}' does not exist.");
        }

        using var reader = new StreamReader(file);
        return ParseReader(reader, Path.GetFileName(file));
    }

    private static List<(int User, int Item)> ParseText(string text, string name)
    {
        using var reader = new StringReader(text);
        return ParseReader(reader, name);
    }

    private static List<(int User, int Item)> ParseReader(TextReader reader, string name)
    {
        var pairs = new List<(int, int)>();
        var seenUsers = new HashSet<int>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            var user = ParseIndex(fields[0], name, lineNumber, "user index");
            if (!seenUsers.Add(user))
            {
                throw new EvaluationException($"{name} line {lineNumber}: user {user} already had a line.");
            }

            for (var f = 1; f < fields.Length; f++)
            {
                pairs.Add((user, ParseIndex(fields[f], name, lineNumber, "item index")));
            }
        }

        return pairs;
    }

    private static int ParseIndex(string text, string name, int line, string what) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new EvaluationException($"{name} line {line}: {what} '{text}' is not a non-negative integer.");
}
