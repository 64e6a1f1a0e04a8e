using Attune.Core;
using Attune.Core.Expressions;

namespace Attune.Engine.Serving;

public enum RuleAction
{
    /// <summary>score = score * Multiply + Add for matching items.</summary>
    Boost,

    /// <summary>Matching items go below every item that is not buried, keeping their relative order.</summary>
    Bury,

    /// <summary>The best-scoring matching item is placed at the 0-based <see cref="BusinessRule.Position"/>.</summary>
    Pin,
}

/// <summary>A merchandising rule over items, written in the expression language.</summary>
/// <param name="Condition">Which items the rule applies to, e.g. <c>category contains "sale"</c>.</param>
/// <param name="Multiply">For boosts: factor applied to the blended score (1 = none).</param>
/// <param name="Add">For boosts: amount added after multiplying (0 = none).</param>
/// <param name="Position">For pins: 0-based slot in the final list.</param>
public sealed record BusinessRule(RuleAction Action, string Condition, double Multiply = 1, double Add = 0, int Position = 0)
{
    public static BusinessRule Boost(string condition, double multiply = 1, double add = 0) => new(RuleAction.Boost, condition, multiply, add);

    public static BusinessRule Bury(string condition) => new(RuleAction.Bury, condition);

    public static BusinessRule Pin(string condition, int position) => new(RuleAction.Pin, condition, Position: position);

    public override string ToString() => Action switch
    {
        RuleAction.Boost => $"boost({Condition}; x{Multiply} +{Add})",
        RuleAction.Bury => $"bury({Condition})",
        _ => $"pin({Condition}; at {Position})",
    };
}

/// <summary>A rule whose condition is compiled.</summary>
public sealed record CompiledRule(BusinessRule Rule, ExpressionPredicate<Item> Condition);

/// <summary>
/// Stage 3: boosts and buries. Rules apply in list order, global rules first, then the request's, so a request can
/// boost on top of a global boost; pins are placed at the very end of the pipeline (see <see cref="Pinning"/>).
/// </summary>
public static class BusinessRules
{
    /// <summary>Compiles rules; a bad condition or parameter is a <see cref="RecommendationRequestException"/> on <c>{field}[i]</c>.</summary>
    public static CompiledRule[] Compile(RecordBinder<Item> binder, IReadOnlyList<BusinessRule>? rules, string field, ExpressionOptions? options = null)
    {
        if (rules is null || rules.Count == 0)
        {
            return [];
        }

        var compiled = new CompiledRule[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (!double.IsFinite(rule.Multiply) || !double.IsFinite(rule.Add))
            {
                throw new RecommendationRequestException($"{field}[{i}]", "multiply and add must be finite numbers");
            }

            if (rule.Action == RuleAction.Pin && rule.Position < 0)
            {
                throw new RecommendationRequestException($"{field}[{i}].position", $"position must be >= 0, got {rule.Position}");
            }

            compiled[i] = new CompiledRule(rule, CandidateFilter.Compile(binder, rule.Condition, $"{field}[{i}].condition", options));
        }

        return compiled;
    }

    /// <summary>Applies boosts to scores in place and marks buried candidates; <paramref name="buried"/> must be as long as the candidates.</summary>
    public static void Apply(ServingCatalog catalog, Span<Candidate> candidates, Span<bool> buried, ReadOnlySpan<CompiledRule> rules)
    {
        buried.Clear();
        foreach (var rule in rules)
        {
            if (rule.Rule.Action == RuleAction.Pin)
            {
                continue;
            }

            var matches = rule.Condition.AsFunc();
            for (var i = 0; i < candidates.Length; i++)
            {
                var item = catalog[candidates[i].Item];
                if (item is null || !matches(item))
                {
                    continue;
                }

                if (rule.Rule.Action == RuleAction.Bury)
                {
                    buried[i] = true;
                }
                else
                {
                    ref var c = ref candidates[i];
                    c = c with { Score = (c.Score * rule.Rule.Multiply) + rule.Rule.Add };
                }
            }
        }
    }
}
