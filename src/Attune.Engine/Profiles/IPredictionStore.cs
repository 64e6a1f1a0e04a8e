namespace Attune.Engine.Profiles;

/// <summary>
/// Where predicted scores survive a restart (they cannot be rebuilt from the event log). The default is the
/// <c>profiles.db</c> SQLite file in the data folder (<see cref="ProfileDatabase"/>).
/// </summary>
public interface IPredictionStore
{
    IReadOnlyList<PredictionWrite> LoadPredictions();

    /// <summary>Inserts or replaces, all-or-nothing.</summary>
    void SavePredictions(IReadOnlyList<PredictionWrite> predictions);

    void DeletePredictions(string userId);
}
