using Attune.Core;

namespace Attune.Engine.Ingestion;

/// <summary>Applies a <see cref="UserUpdate"/> to the stored user, stamping each consent choice that changes.</summary>
public static class UserMerge
{
    public static User Apply(User? existing, UserUpdate update, DateTimeOffset now)
    {
        var consent = existing?.Consent ?? Consent.Default;
        var personalization = Stamp(consent.Personalization, update.Personalization, now);
        var marketing = Stamp(consent.Marketing, update.Marketing, now);
        return new User(
            update.Id,
            update.Attributes ?? existing?.Attributes,
            new Consent(personalization, marketing),
            existing?.Created ?? now,
            now);
    }

    /// <summary>
    /// A choice stated for the first time, or changed, records when; restating the same choice keeps the
    /// original time, which is the one an auditor asks for.
    /// </summary>
    private static ConsentChoice Stamp(ConsentChoice current, bool? requested, DateTimeOffset now) =>
        requested is not { } granted || (current.At is not null && current.Granted == granted)
            ? current
            : new ConsentChoice(granted, now);
}
