using Attune.Core;
using Attune.Engine.Feedback;

namespace Attune.Engine.Campaigns;

/// <summary>
/// Feeds stored events that carry a <c>context.decisionId</c> to <see cref="DecisionService.Reward"/>. Events
/// without one cost a field read; a credited reward is one policy update (O(d^2) for linear policies).
/// </summary>
public sealed class DecisionRewardObserver(DecisionService decisions) : IEventObserver
{
    public void OnAppended(IReadOnlyList<Event> stored)
    {
        for (var i = 0; i < stored.Count; i++)
        {
            if (stored[i].Context?.DecisionId is not null)
            {
                decisions.Reward(stored[i]);
            }
        }
    }
}
