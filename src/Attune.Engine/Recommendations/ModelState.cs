using System.Runtime.CompilerServices;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Factorization;
using Attune.Engine.Models;
using Attune.Engine.Realtime;
using Attune.Numerics.Ann;

namespace Attune.Engine.Recommendations;

/// <summary>
/// What serving derives from one <see cref="ServingModel"/>: the translation between its dense item indices and the
/// live catalog's stable ones, and, for large catalogs, an HNSW index over the main model's item factors.
/// Immutable apart from the index, which appears when its background build finishes.
/// </summary>
public sealed class ModelState
{
    private readonly int[] _catalogToModel;
    private HnswIndex? _ann;

    internal ModelState(ServingModel model, LiveCatalog catalog)
    {
        Model = model;
        ModelToCatalog = catalog.InternAll(model.Items.Ids);
        var size = 0;
        foreach (var c in ModelToCatalog)
        {
            size = Math.Max(size, c + 1);
        }

        _catalogToModel = new int[size];
        Array.Fill(_catalogToModel, -1);
        for (var m = 0; m < ModelToCatalog.Length; m++)
        {
            _catalogToModel[ModelToCatalog[m]] = m;
        }

        Main = model.Get(ServingModel.Main);
        Factors = Main as ILatentFactorModel;
    }

    public ServingModel Model { get; }

    public string Version => Model.Version;

    /// <summary>Catalog index of each model item index.</summary>
    public int[] ModelToCatalog { get; }

    public IRecommender? Main { get; }

    /// <summary>The main model as a factor model, when it is one.</summary>
    public ILatentFactorModel? Factors { get; }

    /// <summary>The HNSW index over the main model's item factors (with the bias as an extra coordinate), once built.</summary>
    public HnswIndex? Ann => Volatile.Read(ref _ann);

    /// <summary>The model index of a catalog index, or -1 when the model does not know the item.</summary>
    public int ToModel(int catalogIndex) => (uint)catalogIndex < (uint)_catalogToModel.Length ? _catalogToModel[catalogIndex] : -1;

    /// <summary>Builds the HNSW index over the factor model's items (bias folded in as one more coordinate).</summary>
    public void BuildAnn(HnswOptions options)
    {
        if (Factors is null || Ann is not null)
        {
            return;
        }

        var index = HnswIndex.Build(AnnVectors(Factors), AnnDimension(Factors), options);
        Volatile.Write(ref _ann, index);
    }

    /// <summary>Dimension of the vectors in the index: the factors, plus one for the bias.</summary>
    public static int AnnDimension(ILatentFactorModel f) => f.Factors + (f.ItemBias.IsEmpty ? 0 : 1);

    /// <summary>The query for a user vector: the vector, plus a 1 that multiplies the bias coordinate.</summary>
    public static void AnnQuery(ILatentFactorModel f, ReadOnlySpan<float> user, Span<float> query)
    {
        user[..f.Factors].CopyTo(query);
        if (!f.ItemBias.IsEmpty)
        {
            query[f.Factors] = 1;
        }
    }

    private static float[] AnnVectors(ILatentFactorModel f)
    {
        if (f.ItemBias.IsEmpty)
        {
            return f.ItemFactors.ToArray();
        }

        var d = f.Factors + 1;
        var items = f.ItemFactors.Span;
        var bias = f.ItemBias.Span;
        var n = items.Length / f.Factors;
        var result = new float[n * d];
        for (var i = 0; i < n; i++)
        {
            items.Slice(i * f.Factors, f.Factors).CopyTo(result.AsSpan(i * d, f.Factors));
            result[(i * d) + f.Factors] = bias[i];
        }

        return result;
    }
}

/// <summary>
/// The <see cref="ModelState"/> of each live <see cref="ServingModel"/>, created on first use and dropped with the
/// model. On activation the state is prepared at once and, above <c>annThreshold</c> items, the HNSW index is built
/// in the background; requests scan every item until it is ready.
/// </summary>
public sealed class ModelStates
{
    private readonly ConditionalWeakTable<ServingModel, ModelState> _states = [];
    private readonly LiveCatalog _catalog;
    private readonly int _annThreshold;
    private readonly HnswOptions _annOptions;
    private readonly Action<ServingModel, Exception>? _onAnnError;

    public ModelStates(LiveCatalog catalog, int annThreshold, HnswOptions annOptions, Action<ServingModel, Exception>? onAnnError = null)
    {
        _catalog = catalog;
        _annThreshold = annThreshold;
        _annOptions = annOptions;
        _onAnnError = onAnnError;
    }

    public ModelState Get(ServingModel model) => _states.GetValue(model, m => new ModelState(m, _catalog));

    /// <summary>True when the model is large enough for the HNSW index to be worth building.</summary>
    public bool WantsAnn(ServingModel model) => model.Items.Count > _annThreshold && Get(model).Factors is not null;

    /// <summary>Call on activation: prepares the state and starts the index build when the catalog is large.</summary>
    public Task Prepare(ServingModel model)
    {
        var state = Get(model);
        if (!WantsAnn(model))
        {
            return Task.CompletedTask;
        }

        return Task.Run(() =>
        {
            try
            {
                state.BuildAnn(_annOptions);
            }
            catch (Exception ex) when (_onAnnError is not null)
            {
                _onAnnError(model, ex);
            }
        });
    }
}
