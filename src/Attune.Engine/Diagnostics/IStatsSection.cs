using System.Text.Json;

namespace Attune.Engine.Diagnostics;

/// <summary>A part of <c>GET /v1/stats</c> that a feature adds next to the event counts (e.g. <c>quality</c>).</summary>
public interface IStatsSection
{
    /// <summary>The property name in the stats object.</summary>
    string Name { get; }

    /// <summary>Writes one JSON value.</summary>
    void Write(Utf8JsonWriter writer);
}
