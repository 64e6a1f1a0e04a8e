using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Attune.Algorithms.Bandits;
using Attune.Core;
using Attune.Core.Expressions;
using Attune.Engine.Campaigns.Templates;
using Attune.Engine.Ingestion;
using Attune.Engine.Profiles;

namespace Attune.Engine.Campaigns;

/// <summary>
/// Validates a <see cref="CampaignDefinition"/> and compiles it: every problem is reported at once, each naming its
/// field (<c>variants[1].template</c>) and, for templates and audiences, the line and column.
/// </summary>
public static partial class CampaignCompiler
{
    public const int MaxVariants = 50;
    public const int MaxParams = 32;
    public const string DefaultPolicy = "thompson";
    private static readonly string[] Statuses = ["active", "paused"];
    private static readonly string[] InterestFields = ["category", "tag", "brand"];

    /// <summary>The compiled campaign, or null and the errors.</summary>
    public static (CompiledCampaign? Campaign, IReadOnlyList<ValidationError> Errors) Compile(
        CampaignDefinition? definition,
        TemplateLimits? templateLimits = null,
        TimeProvider? clock = null)
    {
        var errors = new List<ValidationError>();
        if (definition is null)
        {
            errors.Add(new ValidationError(null, string.Empty, "the body must be a campaign object"));
            return (null, errors);
        }

        void Error(string field, string message) => errors.Add(new ValidationError(null, field, message));

        CheckId(definition.Id, "id", Error);
        if (string.IsNullOrWhiteSpace(definition.Placement))
        {
            Error("placement", "required: where the campaign shows, e.g. home_banner, email_subject, push, checkout_offer");
        }
        else
        {
            CheckId(definition.Placement, "placement", Error);
        }

        var channel = definition.Channel ?? "web";
        if (!Channels.All.Contains(channel))
        {
            Error("channel", $"'{channel}' is not a channel; use one of {string.Join(", ", Channels.All.Order(StringComparer.Ordinal))}");
        }

        var goal = definition.Goal ?? EventTypes.Click;
        CheckId(goal, "goal", Error);
        var status = definition.Status ?? "active";
        if (Array.IndexOf(Statuses, status) < 0)
        {
            Error("status", $"'{status}' is not a status; use active or paused");
        }

        if (definition.Schedule is { Start: { } start, End: { } end } && end <= start)
        {
            Error("schedule.end", $"must be after schedule.start ({start:O})");
        }

        var priority = definition.Priority ?? 0;
        if (priority is < -1000 or > 1000)
        {
            Error("priority", $"must be between -1000 and 1000 (got {priority})");
        }

        if (definition.FrequencyCap is { } cap)
        {
            if (cap.Max is not (>= 1 and <= 1000))
            {
                Error("frequencyCap.max", "must be a whole number from 1 to 1000");
            }

            if (cap.Period is not { } period || period <= TimeSpan.Zero || period > TimeSpan.FromDays(366))
            {
                Error("frequencyCap.period", "must be a duration between 00:00:01 and 366.00:00:00, e.g. \"7.00:00:00\" for a week");
            }
        }

        var variants = CompileVariants(definition.Variants, templateLimits ?? TemplateLimits.Default, Error);
        var audience = CompileAudience(definition, clock, Error);
        var (spec, dimension) = CompilePolicy(definition.Policy, variants?.Count ?? 0, Error);
        if (errors.Count > 0 || variants is null)
        {
            return (null, errors);
        }

        return (new CompiledCampaign(
            definition,
            definition.Id!,
            definition.Placement!,
            channel,
            goal,
            priority,
            definition.Schedule?.Start,
            definition.Schedule?.End,
            status == "active",
            audience,
            variants,
            spec,
            dimension,
            definition.FrequencyCap?.Max,
            definition.FrequencyCap?.Period), errors);
    }

    private static void CheckId(string? id, string field, Action<string, string> error)
    {
        if (id is null)
        {
            error(field, "required");
        }
        else if (WireIds.Check(id, Ids.MaxLength) is { } message)
        {
            error(field, message);
        }
    }

    private static List<CompiledVariant>? CompileVariants(IReadOnlyList<VariantDefinition?>? definitions, TemplateLimits limits, Action<string, string> error)
    {
        if (definitions is not { Count: > 0 })
        {
            error("variants", "at least one variant is required");
            return null;
        }

        if (definitions.Count > MaxVariants)
        {
            error("variants", $"at most {MaxVariants} variants are allowed (got {definitions.Count})");
            return null;
        }

        var variants = new List<CompiledVariant>(definitions.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var ok = true;
        for (var i = 0; i < definitions.Count; i++)
        {
            var prefix = $"variants[{i}]";
            if (definitions[i] is not { } v)
            {
                error(prefix, "must be an object with id and template");
                ok = false;
                continue;
            }

            if (v.Id is null || WireIds.Check(v.Id, Ids.MaxLength) is not null)
            {
                error(prefix + ".id", v.Id is null ? "required" : WireIds.Check(v.Id, Ids.MaxLength)!);
                ok = false;
            }
            else if (!ids.Add(v.Id))
            {
                error(prefix + ".id", $"'{v.Id}' is used by an earlier variant");
                ok = false;
            }

            var parameters = v.Params ?? new Dictionary<string, string>();
            if (parameters.Count > MaxParams)
            {
                error(prefix + ".params", $"at most {MaxParams} params are allowed");
                ok = false;
            }

            foreach (var (name, value) in parameters)
            {
                if (!TokenName().IsMatch(name))
                {
                    error($"{prefix}.params.{name}", "a param name is letters, digits, '_' and '-'");
                    ok = false;
                }
                else if (value is null || value.Length > limits.MaxOutputLength)
                {
                    error($"{prefix}.params.{name}", value is null ? "must be a string" : $"longer than {limits.MaxOutputLength} characters");
                    ok = false;
                }
            }

            if (v.Template is null)
            {
                error(prefix + ".template", "required: the content, e.g. \"Hello {{user.first_name | default: \\\"there\\\"}}\"");
                ok = false;
                continue;
            }

            try
            {
                var template = Template.Parse(v.Template, limits);
                foreach (var path in template.Paths)
                {
                    if (path.Root == TemplateRoot.Variant && !parameters.ContainsKey(path.Key))
                    {
                        error(prefix + ".template", $"'{path}' is not among this variant's params ({(parameters.Count == 0 ? "none" : string.Join(", ", parameters.Keys))})");
                        ok = false;
                    }
                }

                variants.Add(new CompiledVariant(v.Id ?? string.Empty, template, parameters));
            }
            catch (TemplateException ex)
            {
                error(prefix + ".template", ex.Message);
                ok = false;
            }
        }

        return ok ? variants : null;
    }

    private static ExpressionPredicate<UserProfile>? CompileAudience(CampaignDefinition definition, TimeProvider? clock, Action<string, string> error)
    {
        if (string.IsNullOrWhiteSpace(definition.Audience))
        {
            return null;
        }

        var declared = new Dictionary<string, ExpressionType>(StringComparer.Ordinal);
        foreach (var (name, typeText) in definition.AttributeTypes ?? new Dictionary<string, string>())
        {
            if (!ExpressionType.TryParse(typeText, out var type))
            {
                error($"attributeTypes.{name}", $"'{typeText}' is not a type; use string, number, bool, time, list<string>, list<number>");
                continue;
            }

            declared[name] = type;
        }

        // The schema follows the text: undeclared attributes read as strings, any prediction name as a number,
        // so an audience can be written before the first user or score exists.
        var predictions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match m in FieldReference().Matches(definition.Audience))
        {
            var (root, name) = (m.Groups[1].Value, m.Groups[2].Value);
            if (root == "attributes")
            {
                declared.TryAdd(name, ExpressionType.String);
            }
            else
            {
                predictions.Add(name);
            }
        }

        var binder = ProfileSchema.Create(InterestFields, predictions, declared);
        try
        {
            return binder.CompilePredicate(definition.Audience, new ExpressionOptions(Clock: clock));
        }
        catch (ExpressionException ex)
        {
            error("audience", ex.Message);
            return null;
        }
    }

    private static (string Spec, int Dimension) CompilePolicy(PolicyDefinition? policy, int arms, Action<string, string> error)
    {
        var name = (policy?.Name ?? DefaultPolicy).Trim().ToLowerInvariant();
        if (!BanditPolicies.Names.Contains(name))
        {
            error("policy.name", $"'{policy?.Name}' is not a policy; use one of {string.Join(", ", BanditPolicies.Names)}");
            return (string.Empty, 0);
        }

        var spec = new StringBuilder(name);
        var first = true;
        foreach (var (key, value) in policy?.Options ?? new Dictionary<string, JsonElement>())
        {
            if (!TokenName().IsMatch(key))
            {
                error($"policy.options.{key}", "an option name is letters, digits, '_' and '-'");
                continue;
            }

            string text;
            switch (value.ValueKind)
            {
                case JsonValueKind.Number:
                    text = value.GetDouble().ToString("R", CultureInfo.InvariantCulture);
                    break;
                case JsonValueKind.Array:
                    var parts = new List<string>();
                    foreach (var e in value.EnumerateArray())
                    {
                        if (e.ValueKind != JsonValueKind.Number)
                        {
                            error($"policy.options.{key}", "a list option holds numbers only");
                            return (string.Empty, 0);
                        }

                        parts.Add(e.GetDouble().ToString("R", CultureInfo.InvariantCulture));
                    }

                    text = string.Join(",", parts);
                    break;
                default:
                    error($"policy.options.{key}", "must be a number or a list of numbers");
                    continue;
            }

            spec.Append(first ? ':' : ',').Append(key).Append('=').Append(text);
            first = false;
        }

        var dimension = BanditPolicies.IsContextual(name) ? DecisionFeatures.Dimension : 0;
        if (arms == 0)
        {
            return (spec.ToString(), dimension);
        }

        try
        {
            var created = BanditPolicies.Create(spec.ToString(), arms, dimension);
            return (created.Spec, dimension);
        }
        catch (FormatException ex)
        {
            error(policy?.Options is { Count: > 0 } ? "policy.options" : "policy.name", ex.Message);
            return (string.Empty, 0);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex TokenName();

    [GeneratedRegex(@"\b(attributes|predicted)\.([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex FieldReference();
}
