using Attune.Experiments.Statistics;

namespace Attune.Experiments.Metrics;

/// <param name="Variant">Variant id.</param>
/// <param name="Users">Users of the variant seen in the window.</param>
/// <param name="Value">The metric: conversion rate, mean per user, or the ratio of sums.</param>
public sealed record VariantValue(string Variant, long Users, double Value);

/// <summary>A treatment variant against the control for one metric.</summary>
/// <param name="Test">The fixed-horizon test (z for conversion and ratio, Welch for count and revenue).</param>
/// <param name="Cuped">The CUPED-adjusted test with the same metric in the pre-period as covariate (count and revenue only).</param>
/// <param name="Sequential">The always-valid mSPRT p-value and interval at this look.</param>
/// <param name="GroupSequential">The group-sequential test at the planned look reached, when the experiment has <c>plannedUsers</c>.</param>
public sealed record Comparison(string Variant, TestResult Test, CupedResult? Cuped, MsprtLook Sequential, GroupSequentialLook? GroupSequential = null);

public sealed record MetricResult(string Name, string Kind, IReadOnlyList<VariantValue> Variants, IReadOnlyList<Comparison> Comparisons);

/// <summary>Everything <c>GET /v1/experiments/{id}/results</c> reports.</summary>
/// <param name="From">Start of the window (Unix ms).</param>
/// <param name="To">End of the window (Unix ms).</param>
/// <param name="Users">Users per variant.</param>
/// <param name="SampleRatio">Sample-ratio check against the variant weights.</param>
public sealed record ExperimentResults(
    string ExperimentId,
    long From,
    long To,
    IReadOnlyList<VariantValue> Users,
    SampleRatioResult? SampleRatio,
    IReadOnlyList<MetricResult> Metrics);
