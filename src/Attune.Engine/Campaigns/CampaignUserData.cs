using System.Text.Json;
using Attune.Core;
using Attune.Engine.Privacy;

namespace Attune.Engine.Campaigns;

/// <summary>
/// The campaigns' part of a user's data: the decisions logged for them (what was shown, when, with what probability,
/// and the reward it earned). Erasure removes those decisions and rewards from the log and forgets the user's
/// attention budget and pending rewards; export lists the decisions still in the log (within its retention).
/// </summary>
public sealed class CampaignUserData(DecisionService decisions) : IUserDataHolder
{
    /// <summary>How long an export waits for decisions still queued to reach the log.</summary>
    private static readonly TimeSpan FlushWait = TimeSpan.FromSeconds(5);

    public string ExportName => "campaigns";

    public void OnUserChanged(User user)
    {
        // Consent and attributes are read from the store at each decision: nothing is cached here to update.
    }

    public Task EraseAsync(string userId, CancellationToken cancellationToken) => decisions.EraseUserAsync(userId);

    public void WriteExport(string userId, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);

        // Decisions made just before the export may still be queued for the log; a bounded wait keeps a stuck disk
        // from hanging the export, which then lists what is on disk.
        decisions.Log.FlushAsync().Wait(FlushWait);
        writer.WriteStartObject();
        writer.WriteStartArray("decisions"u8);
        foreach (var (d, reward) in DecisionLog.ReadUser(decisions.Log.DirectoryPath, userId))
        {
            writer.WriteStartObject();
            writer.WriteString("decisionId"u8, d.Id);
            writer.WriteString("at"u8, d.At.ToUniversalTime());
            writer.WriteString("campaignId"u8, d.CampaignId);
            writer.WriteString("placement"u8, d.Placement);
            writer.WriteString("channel"u8, d.Channel);
            writer.WriteString("variantId"u8, d.VariantId);
            writer.WriteNumber("propensity"u8, d.Propensity);
            writer.WritePropertyName("reward"u8);
            if (reward is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStartObject();
                writer.WriteString("at"u8, reward.At.ToUniversalTime());
                writer.WriteString("eventType"u8, reward.EventType);
                writer.WriteNumber("reward"u8, reward.Reward);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
