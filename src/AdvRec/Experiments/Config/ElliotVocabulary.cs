namespace AdvRec.Experiments.Config;

/// <summary>
/// Names from Elliot's study files that AdvRec recognises without implementing them, so that a study written for Elliot
/// gets a message that says what the name is, instead of "unknown": Elliot's models without an AdvRec counterpart, its
/// hyperopt search-space functions and its metrics that AdvRec does not compute.
/// </summary>
internal static class ElliotVocabulary
{
    /// <summary>Elliot's models (class names, 0.3.1 and later) that have no AdvRec counterpart.</summary>
    public static readonly HashSet<string> ModelsWithoutCounterpart = new(StringComparer.OrdinalIgnoreCase)
    {
        "WRMF", "PureSVD", "MF", "FunkSVD", "PMF", "LMF", "NonNegMF", "FM", "LogisticMF", "FFM", "BPRSlim", "Slim", "CML",
        "FISM", "SVDpp", "MF2020", "iALS", "Random", "KaHFM", "KaHFMBatch", "KaHFMEmbeddings", "NGCF", "RP3beta",
        "DeepStyle", "ACF", "DVBPR", "VNPR", "ItemKNN", "UserKNN", "AttributeItemKNN", "AttributeUserKNN", "DeepFM", "DMF",
        "NeuMF", "NFM", "GMF", "NAIS", "ConvNeuMF", "WideAndDeep", "ConvMF", "NPR", "VSM", "SlopeOne", "IRGAN", "CFGAN",
        "ProxyRecommender", "RecommendationFolder", "APR", "MSAPMF",
    };

    /// <summary>The hyperopt functions Elliot accepts as the first item of a hyperparameter's list (a search space, not values).</summary>
    public static readonly string[] HyperoptFunctions =
        ["choice", "randint", "uniform", "quniform", "loguniform", "qloguniform", "normal", "qnormal", "lognormal", "qlognormal"];

    /// <summary>Elliot's search algorithms (<c>meta.hyper_opt_alg</c>); AdvRec runs <c>grid</c> only.</summary>
    public static readonly string[] SearchAlgorithms = ["grid", "tpe", "atpe", "rand", "mix", "anneal"];

    /// <summary>Elliot's simple metrics that AdvRec does not compute (its own are HR, nDCG, Precision, Recall, MRR, MAP, AUC, RMSE, MAE).</summary>
    public static readonly HashSet<string> MetricsWithoutCounterpart = new(StringComparer.OrdinalIgnoreCase)
    {
        "nDCGRendle2020", "MAR", "F1", "GAUC", "LAUC", "MSE", "ItemCoverage", "UserCoverage", "UserCoverageAtN", "NumRetrieved",
        "EFD", "EPC", "Gini", "SEntropy", "SRecall", "ARP", "APLT", "ACLT", "PopREO", "PopRSP", "BiasDisparityBD",
        "BiasDisparityBR", "BiasDisparityBS", "UserMADrating", "ItemMADrating", "UserMADranking", "ItemMADranking", "REO", "RSP",
        "DSC", "ExtendedF1", "ExtendedEFD", "ExtendedEPC", "ExtendedPopREO", "ExtendedPopRSP",
    };

    /// <summary>
    /// Whether <paramref name="value"/> is a hyperopt search space such as <c>[loguniform, -10, -1]</c> or
    /// <c>[loguniform(-10, -1)]</c>: a function name first, then numbers (or its arguments in parentheses).
    /// </summary>
    public static bool IsSearchSpace(ConfigValue value, out string function)
    {
        function = "";
        if (value.Kind != ConfigValueKind.Sequence || value.Items.Count == 0 || value.Items[0].Kind != ConfigValueKind.Scalar) return false;
        string head = value.Items[0].Text!.Trim();
        int paren = head.IndexOf('(', StringComparison.Ordinal);
        string name = (paren >= 0 ? head[..paren] : head).Trim();
        if (!HyperoptFunctions.Contains(name, StringComparer.Ordinal)) return false;
        // [normal, uniform] could be values of a text option; a search space has its numbers after the function
        bool numbers = value.Items.Count >= 2 && value.Items.Skip(1).All(i => ConfigConvert.TryDouble(i, out _));
        if (paren < 0 && !numbers) return false;
        function = name;
        return true;
    }
}
