using Attune.Core;

namespace Attune.Engine.Feedback;

/// <summary>Something that reacts to catalog changes as soon as they are stored (e.g. serving a new item at once).</summary>
/// <remarks>Same rules as <see cref="IEventObserver"/>: called on the request's thread, must be cheap and must not throw.</remarks>
public interface ICatalogObserver
{
    void OnItemsUpserted(IReadOnlyList<Item> items);

    void OnItemDeleted(string id);
}

/// <summary>Fans stored catalog changes out to every registered <see cref="ICatalogObserver"/>.</summary>
public sealed class CatalogFeed(IEnumerable<ICatalogObserver> observers, Action<ICatalogObserver, Exception>? onError = null)
{
    private readonly ICatalogObserver[] _observers = observers.ToArray();

    public void Upserted(IReadOnlyList<Item> items) => Each(o => o.OnItemsUpserted(items));

    public void Deleted(string id) => Each(o => o.OnItemDeleted(id));

    private void Each(Action<ICatalogObserver> action)
    {
        foreach (var observer in _observers)
        {
            try
            {
                action(observer);
            }
            catch (Exception ex) when (onError is not null)
            {
                onError(observer, ex);
            }
        }
    }
}
