using Attune.Core;

namespace Attune.Engine.Feedback;

/// <summary>Something that keeps derived state about catalog items (profiles join events with item fields).</summary>
/// <remarks>Called after the catalog write is durable; must be cheap and must not throw.</remarks>
public interface ICatalogObserver
{
    void OnItemsUpserted(IReadOnlyList<Item> items);

    void OnItemDeleted(string itemId);
}

/// <summary>Fans catalog changes out to every registered <see cref="ICatalogObserver"/>.</summary>
public sealed class CatalogFeed(IEnumerable<ICatalogObserver> observers)
{
    private readonly ICatalogObserver[] _observers = observers.ToArray();

    public void Upserted(IReadOnlyList<Item> items)
    {
        foreach (var o in _observers)
        {
            o.OnItemsUpserted(items);
        }
    }

    public void Deleted(string itemId)
    {
        foreach (var o in _observers)
        {
            o.OnItemDeleted(itemId);
        }
    }
}
