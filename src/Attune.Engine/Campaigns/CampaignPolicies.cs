using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Attune.Algorithms.Bandits;

namespace Attune.Engine.Campaigns;

/// <summary>One campaign's live policy with its counters: decisions and summed rewards per variant.</summary>
public sealed class CampaignPolicy
{
    private readonly long[] _decisions;
    private readonly double[] _rewards;
    private int _dirty;

    internal CampaignPolicy(string key, IBanditPolicy policy, long[]? decisions = null, double[]? rewards = null)
    {
        Key = key;
        Policy = policy;
        _decisions = decisions ?? new long[policy.Arms];
        _rewards = rewards ?? new double[policy.Arms];
    }

    /// <summary>Spec, variant ids and context dimension: a campaign edit that changes any of them starts a fresh policy.</summary>
    public string Key { get; }

    public IBanditPolicy Policy { get; }

    internal bool IsDirty => Volatile.Read(ref _dirty) != 0;

    public long Decisions(int arm) => Interlocked.Read(ref _decisions[arm]);

    public double Rewards(int arm)
    {
        lock (_rewards)
        {
            return _rewards[arm];
        }
    }

    internal void Chosen(int arm)
    {
        Interlocked.Increment(ref _decisions[arm]);
        Volatile.Write(ref _dirty, 1);
    }

    internal void Learn(int arm, ReadOnlySpan<double> context, double reward)
    {
        Policy.Update(arm, context, reward);
        lock (_rewards)
        {
            _rewards[arm] += reward;
        }

        Volatile.Write(ref _dirty, 1);
    }

    internal void Write(BinaryWriter writer)
    {
        Volatile.Write(ref _dirty, 0);
        writer.Write(Key);
        writer.Write(_decisions.Length);
        lock (_rewards)
        {
            for (var i = 0; i < _decisions.Length; i++)
            {
                writer.Write(Decisions(i));
                writer.Write(_rewards[i]);
            }
        }

        BanditPolicies.Save(Policy, writer);
    }

    internal static CampaignPolicy Read(BinaryReader reader)
    {
        var key = reader.ReadString();
        var arms = reader.ReadInt32();
        if (arms is < 1 or > CampaignCompiler.MaxVariants)
        {
            throw new InvalidDataException($"policy state holds {arms} variants");
        }

        var decisions = new long[arms];
        var rewards = new double[arms];
        for (var i = 0; i < arms; i++)
        {
            decisions[i] = reader.ReadInt64();
            rewards[i] = reader.ReadDouble();
        }

        return new CampaignPolicy(key, BanditPolicies.Load(reader), decisions, rewards);
    }
}

/// <summary>
/// The policy of every campaign, created from its spec on first use and persisted under
/// <c>campaigns/policies</c> (one file per campaign, replaced atomically) by <see cref="SaveChanged"/>, which the
/// host calls periodically and at shutdown; a restart continues from the saved state.
/// </summary>
public sealed class CampaignPolicies(string directory)
{
    private readonly ConcurrentDictionary<string, CampaignPolicy> _policies = new(StringComparer.Ordinal);
    private readonly object _saveGate = new();

    public string DirectoryPath { get; } = directory;

    /// <summary>The campaign's policy; a fresh one when none is saved or the campaign's variants or policy changed.</summary>
    public CampaignPolicy For(CompiledCampaign campaign)
    {
        var key = KeyOf(campaign);
        if (_policies.TryGetValue(campaign.Id, out var policy) && policy.Key == key)
        {
            return policy;
        }

        return _policies.AddOrUpdate(
            campaign.Id,
            _ => LoadOrCreate(campaign, key),
            (_, existing) => existing.Key == key ? existing : LoadOrCreate(campaign, key));
    }

    /// <summary>The policy if one is loaded or saved, without creating one.</summary>
    public CampaignPolicy? Find(CompiledCampaign campaign) =>
        _policies.TryGetValue(campaign.Id, out var p) && p.Key == KeyOf(campaign) ? p : null;

    /// <summary>Forgets campaigns no longer in <paramref name="snapshot"/> and deletes their state.</summary>
    public void Retain(CampaignSnapshot snapshot)
    {
        foreach (var id in _policies.Keys)
        {
            if (snapshot.Get(id) is null)
            {
                _policies.TryRemove(id, out _);
            }
        }

        if (!Directory.Exists(DirectoryPath))
        {
            return;
        }

        // Also state saved before a restart and never loaded since.
        var keep = snapshot.All.Select(c => PathOf(c.Id)).ToHashSet(StringComparer.Ordinal);
        lock (_saveGate)
        {
            foreach (var file in Directory.GetFiles(DirectoryPath, "*.bandit"))
            {
                if (!keep.Contains(file))
                {
                    File.Delete(file);
                }
            }
        }
    }

    /// <summary>Writes every policy that learned or chose since its last save; returns how many were written.</summary>
    public int SaveChanged()
    {
        lock (_saveGate)
        {
            Directory.CreateDirectory(DirectoryPath);
            var saved = 0;
            foreach (var (id, policy) in _policies)
            {
                if (!policy.IsDirty)
                {
                    continue;
                }

                var path = PathOf(id);
                var temp = path + ".tmp";
                using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
                using (var writer = new BinaryWriter(stream))
                {
                    policy.Write(writer);
                    writer.Flush();
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temp, path, overwrite: true);
                saved++;
            }

            return saved;
        }
    }

    private CampaignPolicy LoadOrCreate(CompiledCampaign campaign, string key)
    {
        var path = PathOf(campaign.Id);
        if (File.Exists(path))
        {
            try
            {
                using var stream = File.OpenRead(path);
                using var reader = new BinaryReader(stream);
                var saved = CampaignPolicy.Read(reader);
                if (saved.Key == key)
                {
                    return saved;
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException)
            {
                // A state that cannot be read (older format, torn file) means learning starts over; the decisions
                // log still holds the history.
            }
        }

        return new CampaignPolicy(key, BanditPolicies.Create(campaign.PolicySpec, campaign.Variants.Count, campaign.ContextDimension));
    }

    private static string KeyOf(CompiledCampaign campaign) =>
        $"{campaign.PolicySpec}|{campaign.ContextDimension}|{string.Join(",", campaign.Variants.Select(v => v.Id))}";

    private string PathOf(string campaignId) =>
        Path.Combine(DirectoryPath, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(campaignId))) + ".bandit");
}
