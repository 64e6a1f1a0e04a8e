using System.Globalization;

namespace Attune.Evaluation.Splits;

/// <param name="Ratio">The training share for stratified and temporal splits.</param>
/// <param name="Seed">The shuffle seed for stratified splits.</param>
public sealed record SplitOptions(Protocol Protocol = Protocol.Stratified, double Ratio = 0.75, int Seed = 42)
{
    public void Validate()
    {
        if (!(Ratio > 0 && Ratio < 1))
        {
            throw new EvaluationException($"--ratio must be between 0 and 1 (exclusive), got {Ratio.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    public override string ToString() => Protocol switch
    {
        Protocol.Stratified => string.Create(CultureInfo.InvariantCulture, $"stratified ratio={Ratio} seed={Seed}"),
        Protocol.Temporal => string.Create(CultureInfo.InvariantCulture, $"temporal ratio={Ratio}"),
        _ => Protocol.Name(),
    };
}
