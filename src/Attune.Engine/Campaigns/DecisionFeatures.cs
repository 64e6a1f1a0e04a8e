using Attune.Engine.Profiles;

namespace Attune.Engine.Campaigns;

/// <summary>
/// The context vector of contextual policies: the profile's fixed features (<see cref="ProfileFeatures.Basic"/>),
/// then whether a profile exists, then the request's device as one-hot (mobile, desktop, tablet). Unknown users
/// read zeros for the profile block, so their choice rests on the request context and the policy's intercept.
/// </summary>
public static class DecisionFeatures
{
    private static readonly int ProfileCount = ProfileFeatures.Basic.Count;

    public static int Dimension { get; } = ProfileCount + 4;

    public static IReadOnlyList<string> Names { get; } =
        [.. ProfileFeatures.Basic.Names, "has_profile", "request_mobile", "request_desktop", "request_tablet"];

    /// <summary>Writes the features into <paramref name="destination"/> (length <see cref="Dimension"/>).</summary>
    public static void Write(UserProfile? profile, string? device, Span<double> destination)
    {
        destination[..Dimension].Clear();
        if (profile is not null)
        {
            Span<float> values = stackalloc float[ProfileCount];
            ProfileFeatures.Basic.Write(profile, values);
            for (var i = 0; i < values.Length; i++)
            {
                destination[i] = values[i];
            }

            destination[ProfileCount] = 1;
        }

        var offset = ProfileCount + 1;
        if (string.Equals(device, "mobile", StringComparison.OrdinalIgnoreCase))
        {
            destination[offset] = 1;
        }
        else if (string.Equals(device, "desktop", StringComparison.OrdinalIgnoreCase))
        {
            destination[offset + 1] = 1;
        }
        else if (string.Equals(device, "tablet", StringComparison.OrdinalIgnoreCase))
        {
            destination[offset + 2] = 1;
        }
    }
}
