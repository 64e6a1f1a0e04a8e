using Attune.Experiments.Assignment;

namespace Attune.Engine.Experiments;

/// <summary>
/// What serving code asks the experimentation engine: is this user in the global holdout (then serve no
/// personalization), and which variant of which experiment does the user see. Answers are deterministic
/// (hashes of the user id), cheap (no I/O) and thread-safe.
/// </summary>
public interface IExperimentAssignments
{
    bool IsInHoldout(string userId);

    /// <summary>The user's variant of a running experiment; null when the user is held out, outside its traffic, or it is not running.</summary>
    Assignment? Assign(string experimentId, string userId);

    /// <summary>Every running experiment the user is in (empty for holdout users).</summary>
    IReadOnlyList<Assignment> AssignAll(string userId);
}
