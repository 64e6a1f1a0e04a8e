using Attune.Engine.Profiles;
using Attune.Storage;

namespace Attune.Engine.Campaigns;

/// <summary>Resolves decision subjects from the live profiles (when the engine keeps them) and the user store.</summary>
public sealed class StoreDecisionSubjects(Func<IUserStore> users, IProfileStore? profiles = null) : IDecisionSubjects
{
    public async ValueTask<DecisionSubject> ResolveAsync(string userId, CancellationToken cancellationToken)
    {
        if (profiles?.Get(userId) is { } profile)
        {
            return new DecisionSubject(userId, profile, null);
        }

        // Without a profile (unknown user, profiles off, or personalization refused) the stored record still gives
        // attributes and consent for audiences, tokens and caps.
        var user = await users().GetAsync(userId, cancellationToken);
        return new DecisionSubject(userId, null, user);
    }
}
