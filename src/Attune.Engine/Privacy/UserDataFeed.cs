using System.Text.Json;
using Attune.Core;

namespace Attune.Engine.Privacy;

/// <summary>
/// A feature that keeps its own data about users (profiles, predictions, campaign state): it hears about consent
/// and attribute changes, erases what it holds when the user is erased, and adds its part to the user's export.
/// </summary>
public interface IUserDataHolder
{
    /// <summary>The property name of this holder's part in the export (<c>profile</c>).</summary>
    string ExportName { get; }

    /// <summary>The stored user changed (attributes or consent); called after the write is durable.</summary>
    void OnUserChanged(User user);

    /// <summary>Removes everything held about the user; called after the store erased them.</summary>
    Task EraseAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Writes one JSON value (null when nothing is held) describing what is held about the user.</summary>
    void WriteExport(string userId, Utf8JsonWriter writer);
}

/// <summary>Fans user changes, erasures and exports out to every registered <see cref="IUserDataHolder"/>.</summary>
public sealed class UserDataFeed(IEnumerable<IUserDataHolder> holders)
{
    private readonly IUserDataHolder[] _holders = holders.ToArray();

    public IReadOnlyList<IUserDataHolder> Holders => _holders;

    public void Changed(User user)
    {
        foreach (var h in _holders)
        {
            h.OnUserChanged(user);
        }
    }

    public async Task EraseAsync(string userId, CancellationToken cancellationToken)
    {
        foreach (var h in _holders)
        {
            await h.EraseAsync(userId, cancellationToken);
        }
    }

    /// <summary>Writes each holder's part as a property of the object being written.</summary>
    public void WriteExport(string userId, Utf8JsonWriter writer)
    {
        foreach (var h in _holders)
        {
            writer.WritePropertyName(h.ExportName);
            h.WriteExport(userId, writer);
        }
    }
}
