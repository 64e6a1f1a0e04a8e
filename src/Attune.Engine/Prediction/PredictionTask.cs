using System.Globalization;

namespace Attune.Engine.Prediction;

/// <summary>What a predictor predicts.</summary>
public enum PredictionTaskKind
{
    /// <summary>The user buys anything in the next N days.</summary>
    Purchase = 0,

    /// <summary>The user does nothing at all in the next N days.</summary>
    Churn = 1,

    /// <summary>The user buys a given item in the next N days.</summary>
    Propensity = 2,
}

/// <summary>A task and its horizon: the unit that is trained, evaluated, persisted and scored.</summary>
public readonly record struct PredictionTask(PredictionTaskKind Kind, int HorizonDays)
{
    public const int MaxHorizonDays = 365;

    /// <summary>The task's wire name: <c>purchase</c>, <c>churn</c> or <c>propensity</c>.</summary>
    public string Name => Kind.ToString().ToLowerInvariant();

    /// <summary>The name scores carry on a profile, e.g. <c>purchase_7d</c>.</summary>
    public string ScoreName => string.Create(CultureInfo.InvariantCulture, $"{Name}_{HorizonDays}d");

    public override string ToString() => ScoreName;

    /// <summary>Parses a task name and horizon; the error names what is wrong, or is null on success.</summary>
    public static string? TryCreate(string? name, int days, out PredictionTask task)
    {
        task = default;
        if (!Enum.TryParse<PredictionTaskKind>(name, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(name, out _))
        {
            return $"task '{name}' is not one of purchase, churn, propensity.";
        }

        if (days is < 1 or > MaxHorizonDays)
        {
            return string.Create(CultureInfo.InvariantCulture, $"days must be between 1 and {MaxHorizonDays} (got {days}).");
        }

        task = new PredictionTask(kind, days);
        return null;
    }
}
