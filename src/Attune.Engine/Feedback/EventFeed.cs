using Attune.Core;
using Attune.Storage;

namespace Attune.Engine.Feedback;

/// <summary>
/// Something that reacts to events as soon as they are durable: live profiles, real-time recommendation state,
/// bandit rewards, online metrics, the retraining trigger.
/// </summary>
/// <remarks>
/// In the server, called from the <see cref="EventObserverQueue"/>'s one thread, batch after batch in the order
/// they were admitted, after the append is durable and usually after the response is written: never concurrently
/// with itself for the same feed, so an observer needs no lock against other appends (it still needs one against
/// its readers). It must stay cheap (a few microseconds per event), since the queue's backlog is bounded and a slow
/// observer makes ingestion wait; heavy work goes to the observer's own queue. An observer must not throw: an
/// exception is logged and swallowed, since the events are already stored.
/// </remarks>
public interface IEventObserver
{
    /// <summary>The events just stored, in batch order; duplicates (already stored) are left out.</summary>
    void OnAppended(IReadOnlyList<Event> stored);
}

/// <summary>Fans stored events out to every registered <see cref="IEventObserver"/>.</summary>
public sealed class EventFeed(IEnumerable<IEventObserver> observers, Action<IEventObserver, Exception>? onError = null)
{
    private readonly IEventObserver[] _observers = observers.ToArray();

    public bool HasObservers => _observers.Length > 0;

    /// <summary>
    /// Publishes the part of <paramref name="appended"/> that <paramref name="result"/> says was stored, on the caller's
    /// thread (tools and tests; the server goes through <see cref="EventObserverQueue"/>).
    /// </summary>
    public void Publish(IReadOnlyList<Event> appended, AppendResult result)
    {
        if (_observers.Length == 0 || result.Accepted == 0)
        {
            return;
        }

        Deliver(Stored(appended, result));
    }

    /// <summary>Hands events already known to be stored (duplicates left out) to every observer, in order.</summary>
    public void Deliver(IReadOnlyList<Event> stored)
    {
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnAppended(stored);
            }
            catch (Exception ex) when (onError is not null)
            {
                onError(observer, ex);
            }
        }
    }

    /// <summary>The events of a batch that were stored, without the positions listed as duplicates.</summary>
    public static IReadOnlyList<Event> Stored(IReadOnlyList<Event> appended, AppendResult result)
    {
        if (result.Duplicates == 0)
        {
            return appended;
        }

        if (result.DuplicateIndices is not { } duplicates)
        {
            throw new ArgumentException("The append reported duplicates without saying which.", nameof(result));
        }

        var stored = new List<Event>(appended.Count - duplicates.Count);
        var d = 0;
        for (var i = 0; i < appended.Count; i++)
        {
            if (d < duplicates.Count && duplicates[d] == i)
            {
                d++;
                continue;
            }

            stored.Add(appended[i]);
        }

        return stored;
    }
}
