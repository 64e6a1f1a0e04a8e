using System.Globalization;

namespace Attune.Engine.Options;

/// <summary>The experimentation engine: the global holdout.</summary>
public sealed record ExperimentOptions
{
    /// <summary>Share of all users in the global holdout (no personalization, no experiments), in [0, 0.5]. 0 disables it.</summary>
    public double HoldoutFraction { get; init; }

    /// <summary>Hash salt of the holdout; changing it reshuffles who is held out.</summary>
    public string HoldoutSalt { get; init; } = "attune-holdout";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"HoldoutFraction = {HoldoutFraction}, HoldoutSalt = {HoldoutSalt}");

    internal void Validate(List<string> errors)
    {
        if (!(HoldoutFraction >= 0 && HoldoutFraction <= 0.5))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Attune:Experiments:HoldoutFraction must be between 0 and 0.5 (got {HoldoutFraction})."));
        }

        if (string.IsNullOrWhiteSpace(HoldoutSalt))
        {
            errors.Add("Attune:Experiments:HoldoutSalt must not be empty.");
        }
    }
}
