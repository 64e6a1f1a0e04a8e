namespace Attune.Core.Expressions;

/// <summary>
/// The expression fields of a <see cref="User"/>: <c>id</c> (string), <c>created</c>, <c>updated</c> (times),
/// <c>consent.personalization</c>, <c>consent.marketing</c> (bools), and <c>attributes.NAME</c> for each
/// attribute whose type is declared or inferred from a sample of users. Profile data computed by the engine
/// (RFM, interests, predictions) is bound by the engine's own profile binder.
/// </summary>
public static class UserSchema
{
    public const string AttributesPrefix = "attributes.";

    /// <param name="declaredAttributes">Attribute name (without the prefix) to type; wins over inference.</param>
    /// <param name="sample">Users whose attribute values fix the types of undeclared attributes.</param>
    public static RecordBinder<User> Create(
        IReadOnlyDictionary<string, ExpressionType>? declaredAttributes = null,
        IEnumerable<User>? sample = null)
    {
        var binder = new RecordBinder<User>()
            .AddString("id", u => u.Id)
            .AddTime("created", u => u.Created)
            .AddTime("updated", u => u.Updated)
            .AddBool("consent.personalization", u => u.Consent.Personalization.Granted)
            .AddBool("consent.marketing", u => u.Consent.Marketing.Granted);

        var inferred = JsonFields.Infer(sample ?? [], static user => (user.Id, user.Attributes));
        JsonFields.Bind(binder, AttributesPrefix, declaredAttributes, inferred, static name =>
            user => user.Attributes.TryGetValue(name, out var e) ? e : default);
        return binder;
    }
}
