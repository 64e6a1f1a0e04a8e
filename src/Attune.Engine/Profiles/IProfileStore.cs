using Attune.Core.Expressions;

namespace Attune.Engine.Profiles;

/// <summary>
/// The live profiles: read a user's snapshot, enumerate them all (segments, clustering, training sets), write
/// behaviour-model scores back, and bind profiles to the expression language. Implemented by
/// <c>ProfileService</c>, which keeps every profile in memory, updated as events arrive.
/// </summary>
/// <remarks>All members are thread-safe. Snapshots are immutable; take one and use it.</remarks>
public interface IProfileStore
{
    /// <summary>Profiles held (bots included, suppressed users excluded).</summary>
    int Count { get; }

    /// <summary>Increases whenever any profile changes; cheap to poll for "has anything changed since".</summary>
    long Version { get; }

    /// <summary>The user's snapshot as of now; null when there is no profile (unknown user, or personalization refused).</summary>
    UserProfile? Get(string userId);

    /// <summary>True when the user refused personalization: no profile is kept, their events are not profiled.</summary>
    bool IsSuppressed(string userId);

    /// <summary>
    /// Every profile as of one common time (the same <see cref="UserProfile.AsOf"/> for all), in no particular
    /// order. Lazily produced; profiles changed during the enumeration may show either state.
    /// </summary>
    IEnumerable<UserProfile> All(bool includeBots = false);

    /// <summary>
    /// Writes a behaviour model's score for a user (e.g. <c>purchase_7d</c>). Kept, and persisted, until the next
    /// write of the same name or the user's erasure. Ignored for suppressed users and users without a profile;
    /// returns whether it was stored.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid field word, or the score is not finite.</exception>
    bool SetPrediction(string userId, string name, double score, string modelVersion, DateTimeOffset at);

    /// <summary>Writes many scores at once (one persistence transaction); returns how many were stored.</summary>
    int SetPredictions(IReadOnlyList<PredictionWrite> predictions);

    /// <summary>The prediction names written so far or declared in configuration, ordinal order.</summary>
    IReadOnlyList<string> PredictionNames { get; }

    /// <summary>
    /// The expression binder over profiles for segment rules: see <see cref="ProfileSchema"/> for the fields.
    /// Rebuilt when a new prediction name or user attribute appears; compile rules against the current one.
    /// </summary>
    RecordBinder<UserProfile> Binder { get; }

    /// <summary>
    /// Calls <paramref name="onChanged"/> with the ids of profiles that changed (events, consent, predictions,
    /// erasure), batched, on a background thread. Dispose the result to stop.
    /// </summary>
    IDisposable Subscribe(Action<IReadOnlyList<string>> onChanged);
}

/// <summary>One score to write back with <see cref="IProfileStore.SetPredictions"/>.</summary>
public sealed record PredictionWrite(string UserId, string Name, double Score, string ModelVersion, DateTimeOffset At);
