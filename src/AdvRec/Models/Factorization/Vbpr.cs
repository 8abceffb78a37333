using System.Diagnostics;
using System.Numerics.Tensors;
using AdvRec.Data;
using AdvRec.Data.Features;
using AdvRec.Kernels;

namespace AdvRec.Models.Factorization;

/// <summary>
/// Hyperparameters of <see cref="Vbpr"/>, with Elliot's names (in the config: factors, factors_d, lr, l_w, l_b, l_e)
/// and Elliot's defaults for its VBPR-style AMR.
/// </summary>
public sealed record VbprOptions : ISeededOptions, IThreadedOptions
{
    /// <summary>Size of the collaborative embeddings γ_u, γ_i (Elliot's factors: 200).</summary>
    public int Factors { get; init; } = 200;

    /// <summary>Size of the visual space θ_u and of the projection E (Elliot's factors_d: 20).</summary>
    public int FactorsD { get; init; } = 20;

    /// <summary>Learning rate (Elliot's lr: 0.001, with Adam).</summary>
    [ConfigAlias("lr")]
    public float LearningRate { get; init; } = 0.001f;

    /// <summary>L2 weight on γ_u, γ_i, γ_j and θ_u, <c>l_w · ½‖row‖²</c> per occurrence (Elliot's l_w: 0.1).</summary>
    [ConfigAlias("l_w")]
    public float Regularization { get; init; } = 0.1f;

    /// <summary>L2 weight on the item bias: <c>l_b · ½ b_i²</c> for positives, <c>l_b/10 · ½ b_j²</c> for negatives, as Elliot (l_b: 0.001).</summary>
    [ConfigAlias("l_b")]
    public float BiasRegularization { get; init; } = 0.001f;

    /// <summary>L2 weight on the whole projection E and visual bias β′, <c>l_e · ½(‖E‖² + ‖β′‖²)</c> per batch (Elliot's l_e: 0.1).</summary>
    [ConfigAlias("l_e")]
    public float ProjectionRegularization { get; init; } = 0.1f;

    /// <summary>Triples per mini-batch; gradients are summed over the batch (Elliot's −1, one batch per epoch, is not supported).</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Initialisation of γ, θ, E and β′ (Elliot: Glorot uniform); the item bias starts at 0.</summary>
    public Initialization Init { get; init; } = Initialization.GlorotUniform;

    /// <summary>Standard deviation of the truncated-normal initialisation (0.01).</summary>
    public float InitStd { get; init; } = 0.01f;

    /// <summary>Optimizer (Elliot: Adam).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Adagrad's initial accumulator value (Keras: 0.1).</summary>
    public float AdagradInitialAccumulator { get; init; } = 0.1f;

    /// <summary>Optimizer epsilon (Keras: 1e-7).</summary>
    public float OptimizerEpsilon { get; init; } = 1e-7f;

    /// <summary>Adam's first-moment decay (0.9).</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Adam's second-moment decay (0.999).</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Seed of every random choice (Elliot: 42).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Threads; 0 = all cores. Two or more sample the next batch on a second thread. Results do not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        if (Factors < 1) throw new ArgumentOutOfRangeException(nameof(Factors), Factors, "factors must be >= 1");
        if (FactorsD < 1) throw new ArgumentOutOfRangeException(nameof(FactorsD), FactorsD, "factors_d must be >= 1");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be > 0");
        if (!(Regularization >= 0)) throw new ArgumentOutOfRangeException(nameof(Regularization), Regularization, "l_w must be >= 0");
        if (!(BiasRegularization >= 0)) throw new ArgumentOutOfRangeException(nameof(BiasRegularization), BiasRegularization, "l_b must be >= 0");
        if (!(ProjectionRegularization >= 0)) throw new ArgumentOutOfRangeException(nameof(ProjectionRegularization), ProjectionRegularization, "l_e must be >= 0");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be >= 1");
        if (!(InitStd >= 0)) throw new ArgumentOutOfRangeException(nameof(InitStd), InitStd, "init std must be >= 0");
        if (!(AdagradInitialAccumulator >= 0)) throw new ArgumentOutOfRangeException(nameof(AdagradInitialAccumulator), AdagradInitialAccumulator, "must be >= 0");
        if (!(OptimizerEpsilon > 0)) throw new ArgumentOutOfRangeException(nameof(OptimizerEpsilon), OptimizerEpsilon, "must be > 0");
        if (!(Beta1 is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "must be in [0, 1)");
        if (!(Beta2 is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "must be in [0, 1)");
        if (Threads < 0) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "threads must be >= 0 (0 = all cores)");
    }
}

/// <summary>Which occurrences of the item feature vectors an AMR perturbation Δ acts on (PROTOCOLS §4).</summary>
public enum FeatureDeltaScope
{
    /// <summary>Elliot: one Δ per training sample, on the positive item's features only.</summary>
    PerSample,

    /// <summary>The original AMR code: one Δ per item, shared by all its occurrences in the batch, on positive and negative items.</summary>
    PerItem,
}

/// <summary>
/// VBPR (He and McAuley, AAAI 2016) as in Elliot's AMR: <c>x_ui = b_i + γ_u·γ_i + θ_u·(Eᵀ f_i) + β′ᵀ f_i</c> with fixed
/// item feature vectors f_i (D values each), trained on BPR triples (loss <c>Σ softplus(−clip(x_ui − x_uj))</c>) in
/// mini-batches on fused managed kernels. Within a batch the parameters are fixed, so each touched item's projection
/// <c>Eᵀ f_i</c> and visual bias are computed once per batch, and the gradient of E is one outer product per touched
/// item. Perturbable targets: the user and item embeddings γ and the item feature table f (so attacks reach the features
/// through <see cref="IPerturbable"/>). With an <see cref="AdversarialStep"/> an epoch trains AMR (see <see cref="Amr"/>).
/// </summary>
public sealed class Vbpr : IIterativeModel, IPersistentModel, IItemFeatureModel
{
    /// <summary>The model's name, as in configs and outputs.</summary>
    public const string ModelName = "VBPR";

    /// <summary>Name of the user embedding target (γ_u).</summary>
    public const string UserEmbeddings = "user_embeddings";

    /// <summary>Name of the item embedding target (γ_i).</summary>
    public const string ItemEmbeddings = "item_embeddings";

    /// <summary>Name of the item feature target (f_i).</summary>
    public const string ItemFeatureVectors = IItemFeatureModel.FeatureTarget;

    private static readonly FactorFile<VbprOptions> FileFormat = new("ADVRECVB", 1, ModelName, "VBPR");

    // parameter tables, in this order everywhere (snapshots, optimizer state, the file)
    private const int TGu = 0, TGi = 1, TTu = 2, TE = 3, TBp = 4, TBi = 5, TableCount = 6;

    private readonly int _f, _k, _d;
    private readonly float[][] _w; // γ_u (users×F), γ_i (items×F), θ_u (users×K), Eᵀ (K×D), β′ (D), b (items)
    private readonly float[] _features; // items × D, not modified
    private readonly Interactions? _train;
    private RowOptimizer? _optimizer;
    private TripleSampler? _sampler;
    private Work? _work;
    private FactorScorer? _scorer;
    private readonly Lock _scorerLock = new();

    /// <summary>A new model for <paramref name="train"/> with the item vectors <paramref name="features"/> (aligned with the items).</summary>
    public Vbpr(VbprOptions options, Interactions train, ItemFeatures features)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(features);
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("the training data has no interactions", nameof(train));
        if (features.NumItems != train.NumItems)
            throw new ArgumentException($"the item features have {features.NumItems} rows but the data have {train.NumItems} items", nameof(features));
        Options = options;
        Features = features;
        _train = train;
        NumUsers = train.NumUsers;
        NumItems = train.NumItems;
        _f = options.Factors;
        _k = options.FactorsD;
        _d = features.Dimension;
        _features = features.Values;
        _w = [new float[checked(NumUsers * _f)], new float[checked(NumItems * _f)], new float[checked(NumUsers * _k)], new float[checked(_k * _d)], new float[_d], new float[NumItems]];
        var rng = Xoshiro.Derive(options.Seed, 0);
        FactorInit.Fill(_w[TGu], NumUsers, _f, options.Init, options.InitStd, ref rng);
        FactorInit.Fill(_w[TGi], NumItems, _f, options.Init, options.InitStd, ref rng);
        FactorInit.Fill(_w[TTu], NumUsers, _k, options.Init, options.InitStd, ref rng);
        FactorInit.Fill(_w[TE], _d, _k, options.Init, options.InitStd, ref rng); // Elliot's E is D × K: the same fans
        FactorInit.Fill(_w[TBp], _d, 1, options.Init, options.InitStd, ref rng);
        PerturbationTargets = Targets(NumUsers, NumItems, _f, _d);
    }

    private Vbpr(VbprOptions options, ItemFeatures features, int users, float[][] tables, Interactions? train)
    {
        Options = options;
        Features = features;
        NumUsers = users;
        NumItems = features.NumItems;
        _f = options.Factors;
        _k = options.FactorsD;
        _d = features.Dimension;
        _features = features.Values;
        _w = tables;
        _train = train;
        PerturbationTargets = Targets(NumUsers, NumItems, _f, _d);
    }

    /// <summary>The hyperparameters.</summary>
    public VbprOptions Options { get; }

    /// <summary>The item feature vectors the model scores with.</summary>
    public ItemFeatures Features { get; }

    /// <inheritdoc/>
    public int NumUsers { get; }

    /// <inheritdoc/>
    public int NumItems { get; }

    /// <inheritdoc/>
    public int EpochsTrained { get; private set; }

    /// <summary>Always false: plain VBPR; <see cref="Amr"/> schedules the adversarial epochs.</summary>
    public bool NextEpochIsAdversarial => false;

    /// <inheritdoc/>
    public IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    /// <summary>γ_u, users × factors (read-only view).</summary>
    public ReadOnlySpan<float> UserFactors => _w[TGu];

    /// <summary>γ_i, items × factors (read-only view).</summary>
    public ReadOnlySpan<float> ItemFactors => _w[TGi];

    /// <summary>θ_u, users × factors_d (read-only view).</summary>
    public ReadOnlySpan<float> UserVisualFactors => _w[TTu];

    /// <summary>The projection stored transposed, Eᵀ: factors_d × D, row c is column c of Elliot's D × factors_d matrix E (read-only view).</summary>
    public ReadOnlySpan<float> ProjectionTransposed => _w[TE];

    /// <summary>The visual bias β′, D values (read-only view).</summary>
    public ReadOnlySpan<float> VisualBias => _w[TBp];

    /// <summary>The item biases b_i (read-only view).</summary>
    public ReadOnlySpan<float> ItemBiases => _w[TBi];

    /// <summary>The parameter tables (γ_u, γ_i, θ_u, Eᵀ, β′, b), writable, for tests.</summary>
    internal float[][] Parameters => _w;

    private int ThreadCount => Options.Threads == 0 ? Environment.ProcessorCount : Options.Threads;

    private static PerturbationTarget[] Targets(int users, int items, int f, int d) =>
        [new(UserEmbeddings, users, f), new(ItemEmbeddings, items, f), new(ItemFeatureVectors, items, d)];

    // ---------------------------------------------------------------- scoring

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<int> users, Span<float> scores)
    {
        FactorScorer scorer;
        lock (_scorerLock) scorer = _scorer ??= BuildScorer(_w[TGu], _w[TGi], _features);
        scorer.Score(users, scores);
    }

    /// <inheritdoc/>
    public IPerturbedView WithPerturbation(Perturbation delta)
    {
        CheckTargets(delta);
        var gu = (float[])_w[TGu].Clone();
        var gi = (float[])_w[TGi].Clone();
        var f = (float[])_features.Clone();
        FactorKernels.AddScaled(gu, delta.Table(0), 1f);
        FactorKernels.AddScaled(gi, delta.Table(1), 1f);
        FactorKernels.AddScaled(f, delta.Table(2), 1f);
        return BuildScorer(gu, gi, f);
    }

    /// <summary>Does nothing: the model holds only managed arrays (its sampler threads live within an epoch).</summary>
    public void Dispose()
    {
    }

    // x_ui = [γ_u, θ_u] · [γ_i, Eᵀ f_i] + (b_i + β′·f_i): one factor scorer of F + K columns.
    private FactorScorer BuildScorer(float[] gu, float[] gi, float[] features)
    {
        int f = _f, k = _k, d = _d, c = f + k;
        var p = new float[checked(NumUsers * c)];
        var q = new float[checked(NumItems * c)];
        var bias = new float[NumItems];
        var tu = _w[TTu];
        for (int u = 0; u < NumUsers; u++)
        {
            gu.AsSpan(u * f, f).CopyTo(p.AsSpan(u * c, f));
            tu.AsSpan(u * k, k).CopyTo(p.AsSpan(u * c + f, k));
        }
        for (int i = 0; i < NumItems; i++)
        {
            var fi = features.AsSpan(i * d, d);
            gi.AsSpan(i * f, f).CopyTo(q.AsSpan(i * c, f));
            FactorKernels.Project(_w[TE], fi, q.AsSpan(i * c + f, k));
            bias[i] = _w[TBi][i] + FactorKernels.Dot(_w[TBp], fi);
        }
        return new FactorScorer(p, q, bias, c, NumUsers, NumItems);
    }

    // ---------------------------------------------------------------- training

    /// <inheritdoc/>
    public EpochStats TrainEpoch(IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken) =>
        TrainEpoch(null, FeatureDeltaScope.PerSample, progress, cancellationToken);

    /// <summary>
    /// Trains one epoch: every training pair once, in an order shuffled from the seed and the epoch, each with one
    /// uniform negative. With <paramref name="adversarial"/>, every batch minimises
    /// <c>L_BPR(θ; f) + R(θ) + λ·L_BPR(θ; f + Δ)</c> (AMR), where Δ perturbs the item feature vectors: per-row
    /// L2-normalised gradient of the batch's BPR loss with respect to f, scaled by ε, in <paramref name="scope"/>
    /// (with <see cref="AdversarialStep.DeltaProvider"/> set: the provider's <c>item_features</c> rows, per item).
    /// </summary>
    public EpochStats TrainEpoch(AdversarialStep? adversarial, FeatureDeltaScope scope = FeatureDeltaScope.PerSample,
        IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default)
    {
        var train = _train ?? throw new InvalidOperationException("this model was loaded without its training data; pass the training interactions to Load to train it further");
        adversarial?.Validate();
        var sw = Stopwatch.StartNew();
        int epoch = EpochsTrained;
        var sampler = _sampler ??= new TripleSampler(train, Options.Seed);
        sampler.StartEpoch(epoch, Options.BatchSize, assignSlots: true);
        int units = sampler.Units;
        var optimizer = Optimizer();
        var work = _work ??= new Work(Options.BatchSize, NumUsers, NumItems, _f, _k, _d);
        work.Loss = work.AdvLoss = 0;
        work.Steps = 0;
        string task = adversarial is null ? $"{ModelName} epoch {epoch + 1}" : $"AMR epoch {epoch + 1}";
        try
        {
            void Update(int unit, SampledUnit batch)
            {
                UpdateBatch(work, optimizer, batch, adversarial, scope);
                if (progress is not null && unit % 16 == 0) progress.Report(new ProgressUpdate(task, unit + 1, units));
            }
            sampler.Run(ThreadCount > 1 && adversarial?.DeltaProvider is null, Update, cancellationToken);
        }
        finally
        {
            lock (_scorerLock) _scorer = null;
        }
        progress?.Report(new ProgressUpdate(task, units, units));
        EpochsTrained++;
        return new EpochStats(epoch, work.Loss, work.AdvLoss, work.Steps, sw.Elapsed.TotalSeconds);
    }

    /// <summary>One mini-batch on the given triples (for tests): the same step as an epoch's.</summary>
    internal void TrainBatch(int[] users, int[] positives, int[] negatives, AdversarialStep? adversarial, FeatureDeltaScope scope)
    {
        var sampler = _sampler ??= new TripleSampler(_train!, Options.Seed);
        var unit = sampler.FillFrom(users, positives, negatives);
        var work = _work ??= new Work(Math.Max(Options.BatchSize, users.Length), NumUsers, NumItems, _f, _k, _d);
        UpdateBatch(work, Optimizer(), unit, adversarial, scope);
        lock (_scorerLock) _scorer = null;
    }

    /// <inheritdoc/>
    public object TakeSnapshot() => _w.Select(t => (float[])t.Clone()).ToArray();

    /// <inheritdoc/>
    public void RestoreSnapshot(object snapshot)
    {
        if (snapshot is not float[][] tables || tables.Length != TableCount || tables.Where((t, k) => t.Length != _w[k].Length).Any())
            throw new ArgumentException("not a snapshot of this model", nameof(snapshot));
        for (int t = 0; t < TableCount; t++) tables[t].CopyTo(_w[t], 0);
        lock (_scorerLock) _scorer = null;
    }

    // the optimizer and its state, allocated at the first step
    private RowOptimizer Optimizer() => _optimizer ??= new RowOptimizer(_w, Options.Optimizer, Options.LearningRate,
        Options.AdagradInitialAccumulator, Options.OptimizerEpsilon, Options.Beta1, Options.Beta2);

    /// <summary>Per-batch buffers, by slot of a touched row: gradients, projections, Δ; allocated once.</summary>
    private sealed class Work
    {
        public readonly float[] GradGu, GradTu, GradGi, GradBi, GradE, GradBp;
        public readonly float[] Proj, Vb, AccA, AccS, Delta, G1, Wu, Zu, Bw, Nrm, Ucoef, TempK, TempD, ET;
        public double Loss, AdvLoss;
        public long Steps;

        public Work(int batch, int users, int items, int f, int k, int d)
        {
            int mu = Math.Min(batch, users), mi = Math.Min(2 * batch, items);
            GradGu = new float[mu * f]; GradTu = new float[mu * k];
            GradGi = new float[mi * f]; GradBi = new float[mi];
            GradE = new float[k * d]; GradBp = new float[d];
            Proj = new float[mi * k]; Vb = new float[mi]; AccA = new float[mi * k]; AccS = new float[mi];
            Delta = new float[mi * d]; G1 = new float[batch];
            Wu = new float[mu * d]; Zu = new float[mu * k]; Bw = new float[mu]; Nrm = new float[mu]; Ucoef = new float[mu];
            TempK = new float[k]; TempD = new float[d]; ET = new float[d * FactorKernels.PaddedWidth(k)];
        }
    }

    // One mini-batch: gradients summed at the parameters the batch started from, applied once to each touched row.
    private void UpdateBatch(Work w, RowOptimizer optimizer, SampledUnit s, AdversarialStep? adv, FeatureDeltaScope scope)
    {
        int f = _f, k = _k, d = _d, m = s.Count, nI = s.NumTouchedI, nU = s.NumTouchedU;
        float[] gu = _w[TGu], gi = _w[TGi], tu = _w[TTu], eT = _w[TE], bp = _w[TBp], bi = _w[TBi], feat = _features;
        float lw = Options.Regularization, lb = Options.BiasRegularization;
        w.Steps += m;

        // projections of the touched items: fixed for the whole batch
        FactorKernels.TransposePadded(eT, k, d, w.ET);
        FactorKernels.ProjectRows(w.ET, k, feat, d, s.TouchedI.AsSpan(0, nI), nI, w.Proj);
        for (int r = 0; r < nI; r++)
        {
            int i = s.TouchedI[r];
            w.Vb[r] = bi[i] + FactorKernels.Dot(bp, feat.AsSpan(i * d, d));
        }

        // pass 1: the BPR gradient at the clean point, and the regulariser
        for (int t = 0; t < m; t++)
        {
            if (t + PrefetchDistance < m) PrefetchTriple(s, t + PrefetchDistance);
            int u = s.U[t], i = s.I[t], j = s.J[t], su = s.SlotU[t], si = s.SlotI[t], sj = s.SlotJ[t];
            var guu = gu.AsSpan(u * f, f);
            var tuu = tu.AsSpan(u * k, k);
            float diff = FactorKernels.DotDifference(guu, gi.AsSpan(i * f, f), gi.AsSpan(j * f, f))
                + FactorKernels.DotDifference(tuu, w.Proj.AsSpan(si * k, k), w.Proj.AsSpan(sj * k, k)) + w.Vb[si] - w.Vb[sj];
            w.Loss += FactorKernels.BprLoss(diff, out float g);
            w.G1[t] = g;
            if (g != 0f)
            {
                FactorKernels.AddTripleGradient(guu, gi.AsSpan(i * f, f), gi.AsSpan(j * f, f),
                    w.GradGu.AsSpan(su * f, f), w.GradGi.AsSpan(si * f, f), w.GradGi.AsSpan(sj * f, f), g);
                FactorKernels.AddTripleGradient(tuu, w.Proj.AsSpan(si * k, k), w.Proj.AsSpan(sj * k, k),
                    w.GradTu.AsSpan(su * k, k), w.AccA.AsSpan(si * k, k), w.AccA.AsSpan(sj * k, k), g);
                w.AccS[si] += g;
                w.AccS[sj] -= g;
            }
            if (lw > 0)
            {
                FactorKernels.AddScaled(w.GradGu.AsSpan(su * f, f), guu, lw);
                FactorKernels.AddScaled(w.GradTu.AsSpan(su * k, k), tuu, lw);
                FactorKernels.AddScaled(w.GradGi.AsSpan(si * f, f), gi.AsSpan(i * f, f), lw);
                FactorKernels.AddScaled(w.GradGi.AsSpan(sj * f, f), gi.AsSpan(j * f, f), lw);
            }
            w.GradBi[si] += lb * bi[i];
            w.GradBi[sj] += 0.1f * lb * bi[j];
        }

        // fold the item accumulators into b, E and β′ (clean features); for AMR per item, build Δ first
        float[]? provided = null;
        if (adv?.DeltaProvider is { } provider)
        {
            var delta = provider();
            CheckTargets(delta);
            provided = delta.Array(2);
        }
        for (int r = 0; r < nI; r++)
        {
            int i = s.TouchedI[r];
            var fi = feat.AsSpan(i * d, d);
            var acc = w.AccA.AsSpan(r * k, k);
            if (adv is not null && (scope == FeatureDeltaScope.PerItem || provided is not null))
            {
                var delta = w.Delta.AsSpan(r * d, d);
                if (provided is not null) provided.AsSpan(i * d, d).CopyTo(delta);
                else
                {
                    // ∂L_BPR/∂f_i = E·(Σ g θ_u) + (Σ g)·β′
                    var grad = w.TempD.AsSpan();
                    grad.Clear();
                    FactorKernels.AddScaled(grad, bp, w.AccS[r]);
                    FactorKernels.AddTransposeProject(eT, acc, grad);
                    FactorKernels.ScaleToNorm(grad, delta, adv.Epsilon);
                }
            }
            w.GradBi[r] += w.AccS[r];
            FactorKernels.AddScaled(w.GradBp, fi, w.AccS[r]);
            w.AccS[r] = 0f;
        }
        FoldProjectionGradient(w, feat, s.TouchedI.AsSpan(0, nI), nI);

        if (adv is not null)
        {
            if (scope == FeatureDeltaScope.PerItem || provided is not null) AdversarialPassPerItem(w, s, adv.Lambda);
            else AdversarialPassPerSample(w, s, adv.Epsilon, adv.Lambda);
        }

        // the whole-matrix regulariser of E and β′, then apply
        float le = Options.ProjectionRegularization;
        if (le > 0)
        {
            FactorKernels.AddScaled(w.GradE, eT, le);
            FactorKernels.AddScaled(w.GradBp, bp, le);
        }
        Apply(w, optimizer, s);
    }

    private const int PrefetchDistance = 4;

    // the rows of triple t that the parameter tables hold (γ_u, θ_u, γ_i, γ_j), a few triples ahead of their use
    private void PrefetchTriple(SampledUnit s, int t)
    {
        FactorKernels.Prefetch(_w[TGu], s.U[t] * _f, _f);
        FactorKernels.Prefetch(_w[TTu], s.U[t] * _k, _k);
        FactorKernels.Prefetch(_w[TGi], s.I[t] * _f, _f);
        FactorKernels.Prefetch(_w[TGi], s.J[t] * _f, _f);
    }

    // λ·∇L_BPR(θ; f + Δ) with one Δ row per touched item (in w.Delta by slot), on positives and negatives.
    private void AdversarialPassPerItem(Work w, SampledUnit s, float lambda)
    {
        int f = _f, k = _k, d = _d, m = s.Count, nI = s.NumTouchedI;
        float[] gu = _w[TGu], gi = _w[TGi], tu = _w[TTu], eT = _w[TE], bp = _w[TBp], feat = _features;
        FactorKernels.ProjectRows(w.ET, k, w.Delta, d, default, nI, w.Proj, add: true);
        for (int r = 0; r < nI; r++) w.Vb[r] += FactorKernels.Dot(bp, w.Delta.AsSpan(r * d, d));
        for (int t = 0; t < m; t++)
        {
            int u = s.U[t], i = s.I[t], j = s.J[t], su = s.SlotU[t], si = s.SlotI[t], sj = s.SlotJ[t];
            var guu = gu.AsSpan(u * f, f);
            var tuu = tu.AsSpan(u * k, k);
            float diff = FactorKernels.DotDifference(guu, gi.AsSpan(i * f, f), gi.AsSpan(j * f, f))
                + FactorKernels.DotDifference(tuu, w.Proj.AsSpan(si * k, k), w.Proj.AsSpan(sj * k, k)) + w.Vb[si] - w.Vb[sj];
            w.AdvLoss += FactorKernels.BprLoss(diff, out float g);
            g *= lambda;
            if (g == 0f) continue;
            FactorKernels.AddTripleGradient(guu, gi.AsSpan(i * f, f), gi.AsSpan(j * f, f),
                w.GradGu.AsSpan(su * f, f), w.GradGi.AsSpan(si * f, f), w.GradGi.AsSpan(sj * f, f), g);
            FactorKernels.AddTripleGradient(tuu, w.Proj.AsSpan(si * k, k), w.Proj.AsSpan(sj * k, k),
                w.GradTu.AsSpan(su * k, k), w.AccA.AsSpan(si * k, k), w.AccA.AsSpan(sj * k, k), g);
            w.AccS[si] += g;
            w.AccS[sj] -= g;
        }
        for (int r = 0; r < nI; r++)
        {
            // the perturbed features f + Δ, in place of Δ (no longer needed)
            var x = w.Delta.AsSpan(r * d, d);
            FactorKernels.Add(feat.AsSpan(s.TouchedI[r] * d, d), x, x);
            w.GradBi[r] += w.AccS[r];
            FactorKernels.AddScaled(w.GradBp, x, w.AccS[r]);
            w.AccS[r] = 0f;
        }
        FoldProjectionGradient(w, w.Delta, default, nI);
    }

    // ∂/∂E += Σ_r AccA[r] ⊗ x_r over the touched items (x_r: row rows[r] of x, or row r), then AccA is cleared.
    private void FoldProjectionGradient(Work w, float[] x, ReadOnlySpan<int> rows, int count)
    {
        FactorKernels.AddOuterSum(w.GradE, _k, w.AccA, x, _d, rows, count);
        w.AccA.AsSpan(0, count * _k).Clear();
    }

    // λ·∇L_BPR(θ; f + Δ) with Δ_t = ε·sign(g_t)·w_u/‖w_u‖ on each sample's positive item, w_u = E θ_u + β′ being
    // ∂x_ui/∂f_i (Elliot's per-sample perturbation: the FGSM step of that sample's loss).
    private void AdversarialPassPerSample(Work w, SampledUnit s, float epsilon, float lambda)
    {
        int f = _f, k = _k, d = _d, m = s.Count, nI = s.NumTouchedI, nU = s.NumTouchedU;
        float[] gu = _w[TGu], gi = _w[TGi], tu = _w[TTu], eT = _w[TE], bp = _w[TBp], feat = _features;
        for (int r = 0; r < nU; r++)
        {
            int u = s.TouchedU[r];
            var wu = w.Wu.AsSpan(r * d, d);
            bp.CopyTo(wu);
            FactorKernels.AddTransposeProject(eT, tu.AsSpan(u * k, k), wu);
            w.Nrm[r] = MathF.Sqrt(FactorKernels.Dot(wu, wu));
            w.Bw[r] = FactorKernels.Dot(bp, wu);
        }
        FactorKernels.ProjectRows(w.ET, k, w.Wu, d, default, nU, w.Zu);
        var projI = w.TempK.AsSpan();
        for (int t = 0; t < m; t++)
        {
            int u = s.U[t], i = s.I[t], j = s.J[t], su = s.SlotU[t], si = s.SlotI[t], sj = s.SlotJ[t];
            float g1 = w.G1[t], norm = w.Nrm[su];
            float st = g1 == 0f || !(norm > 0f) ? 0f : MathF.Sign(g1) * epsilon / norm; // Δ_t = st · w_u
            w.Proj.AsSpan(si * k, k).CopyTo(projI);
            if (st != 0f) FactorKernels.AddScaled(projI, w.Zu.AsSpan(su * k, k), st);
            var guu = gu.AsSpan(u * f, f);
            var tuu = tu.AsSpan(u * k, k);
            float diff = FactorKernels.DotDifference(guu, gi.AsSpan(i * f, f), gi.AsSpan(j * f, f))
                + FactorKernels.DotDifference(tuu, projI, w.Proj.AsSpan(sj * k, k)) + w.Vb[si] + st * w.Bw[su] - w.Vb[sj];
            w.AdvLoss += FactorKernels.BprLoss(diff, out float g);
            g *= lambda;
            if (g == 0f) continue;
            FactorKernels.AddTripleGradient(guu, gi.AsSpan(i * f, f), gi.AsSpan(j * f, f),
                w.GradGu.AsSpan(su * f, f), w.GradGi.AsSpan(si * f, f), w.GradGi.AsSpan(sj * f, f), g);
            FactorKernels.AddTripleGradient(tuu, projI, w.Proj.AsSpan(sj * k, k),
                w.GradTu.AsSpan(su * k, k), w.AccA.AsSpan(si * k, k), w.AccA.AsSpan(sj * k, k), g);
            w.AccS[si] += g;
            w.AccS[sj] -= g;
            w.Ucoef[su] += g * st;
        }
        for (int r = 0; r < nI; r++)
        {
            int i = s.TouchedI[r];
            w.GradBi[r] += w.AccS[r];
            FactorKernels.AddScaled(w.GradBp, feat.AsSpan(i * d, d), w.AccS[r]);
            w.AccS[r] = 0f;
        }
        FoldProjectionGradient(w, feat, s.TouchedI.AsSpan(0, nI), nI);
        // the Δ part of ∂/∂E and ∂/∂β′: Σ_t g'_t st θ_u ⊗ w_u, summed per user (the rows c·θ_u go in Zu, no longer needed)
        for (int r = 0; r < nU; r++)
        {
            float c = w.Ucoef[r];
            TensorPrimitives.Multiply(tu.AsSpan(s.TouchedU[r] * k, k), c, w.Zu.AsSpan(r * k, k));
            if (c != 0f) FactorKernels.AddScaled(w.GradBp, w.Wu.AsSpan(r * d, d), c);
            w.Ucoef[r] = 0f;
        }
        FactorKernels.AddOuterSum(w.GradE, k, w.Zu, w.Wu, d, default, nU);
    }

    private void Apply(Work w, RowOptimizer optimizer, SampledUnit s)
    {
        var users = s.TouchedU.AsSpan(0, s.NumTouchedU);
        var items = s.TouchedI.AsSpan(0, s.NumTouchedI);
        optimizer.BeginStep();
        optimizer.ApplyRows(TGu, users, _f, w.GradGu);
        optimizer.ApplyRows(TTu, users, _k, w.GradTu);
        optimizer.ApplyRows(TGi, items, _f, w.GradGi);
        optimizer.ApplyRows(TBi, items, 1, w.GradBi);
        optimizer.Apply(TE, w.GradE);
        optimizer.Apply(TBp, w.GradBp);
    }

    // ---------------------------------------------------------------- attacks

    /// <inheritdoc/>
    public ILossSample DrawAttackSample(ulong seed) =>
        TripleSampler.DrawAttackSample(_train ?? throw new InvalidOperationException("this model was loaded without its training data; pass the training interactions to Load to attack it"), seed);

    /// <inheritdoc/>
    /// <remarks>
    /// The gradient with respect to f_i is <c>Σ g·(E θ_u + β′)</c> over the triples with i as positive, minus the same
    /// over those with i as negative. The sample is cut into a fixed number of parts summed in a fixed order, so the
    /// result does not depend on the number of cores. Not safe to call concurrently on one model.
    /// </remarks>
    public double LossGradient(ILossSample sample, Perturbation? at, Perturbation gradient)
    {
        if (sample is not TripleSample triples) throw new ArgumentException($"{ModelName} takes a {nameof(TripleSample)}", nameof(sample));
        CheckTargets(gradient);
        if (at is not null) CheckTargets(at);
        int f = _f, k = _k, d = _d, n = triples.Count;
        float[] gu = _w[TGu], gi = _w[TGi], feat = _features;
        if (at is not null)
        {
            gu = (float[])gu.Clone(); FactorKernels.AddScaled(gu, at.Table(0), 1f);
            gi = (float[])gi.Clone(); FactorKernels.AddScaled(gi, at.Table(1), 1f);
            feat = (float[])feat.Clone(); FactorKernels.AddScaled(feat, at.Table(2), 1f);
        }
        // projections and visual biases of every item, and ∂x_ui/∂f_i = E θ_u + β′ of every user
        var proj = new float[checked(NumItems * k)];
        var vb = new float[NumItems];
        for (int i = 0; i < NumItems; i++)
        {
            var fi = feat.AsSpan(i * d, d);
            FactorKernels.Project(_w[TE], fi, proj.AsSpan(i * k, k));
            vb[i] = _w[TBi][i] + FactorKernels.Dot(_w[TBp], fi);
        }
        bool wantF = gradient.IsActive(2);
        float[]? wu = null;
        if (wantF)
        {
            wu = new float[checked(NumUsers * d)];
            for (int u = 0; u < NumUsers; u++)
            {
                var row = wu.AsSpan(u * d, d);
                _w[TBp].CopyTo(row);
                FactorKernels.AddTransposeProject(_w[TE], _w[TTu].AsSpan(u * k, k), row);
            }
        }
        int parts = n < 4 * 4096 ? 1 : GradientParts;
        var grads = new float[parts][][];
        grads[0] = [gradient.Array(0), gradient.Array(1), gradient.Array(2)];
        for (int p = 1; p < parts; p++) grads[p] = [new float[gu.Length], new float[gi.Length], wantF ? new float[feat.Length] : []];
        var losses = new double[parts];
        var tu = _w[TTu];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = ThreadCount }, p =>
        {
            var (g0, g1, g2) = (grads[p][0], grads[p][1], grads[p][2]);
            Array.Clear(g0);
            Array.Clear(g1);
            Array.Clear(g2);
            int start = (int)((long)n * p / parts), end = (int)((long)n * (p + 1) / parts);
            double loss = 0;
            for (int t = start; t < end; t++)
            {
                int u = triples.Users[t], i = triples.Positives[t], j = triples.Negatives[t];
                var guu = gu.AsSpan(u * f, f);
                float diff = FactorKernels.DotDifference(guu, gi.AsSpan(i * f, f), gi.AsSpan(j * f, f))
                    + FactorKernels.DotDifference(tu.AsSpan(u * k, k), proj.AsSpan(i * k, k), proj.AsSpan(j * k, k)) + vb[i] - vb[j];
                loss += FactorKernels.BprLoss(diff, out float g);
                if (g == 0f) continue;
                FactorKernels.AddTripleGradient(guu, gi.AsSpan(i * f, f), gi.AsSpan(j * f, f), g0.AsSpan(u * f, f), g1.AsSpan(i * f, f), g1.AsSpan(j * f, f), g);
                if (wu is not null)
                {
                    FactorKernels.AddScaled(g2.AsSpan(i * d, d), wu.AsSpan(u * d, d), g);
                    FactorKernels.AddScaled(g2.AsSpan(j * d, d), wu.AsSpan(u * d, d), -g);
                }
            }
            losses[p] = loss;
        });
        for (int p = 1; p < parts; p++)
            for (int t = 0; t < 3; t++)
                if (grads[p][t].Length > 0) FactorKernels.AddScaled(grads[0][t], grads[p][t], 1f);
        for (int t = 0; t < 3; t++) if (!gradient.IsActive(t)) gradient.Table(t).Clear();
        return losses.Sum();
    }

    // Parts of a full-data gradient pass: fixed, so that the sum is the same on any machine.
    private const int GradientParts = 4;

    /// <summary>
    /// The plain BPR loss over <paramref name="sample"/> with <paramref name="featureDelta"/> (items × D, or null) added
    /// to the features of the positive and negative items. For tests and diagnostics.
    /// </summary>
    internal double Loss(TripleSample sample, float[]? featureDelta = null)
    {
        int f = _f, k = _k, d = _d;
        double loss = 0;
        var proj = new float[2 * k];
        var x = new float[d];
        float Visual(int i, Span<float> p)
        {
            _features.AsSpan(i * d, d).CopyTo(x);
            if (featureDelta is not null) FactorKernels.AddScaled(x, featureDelta.AsSpan(i * d, d), 1f);
            FactorKernels.Project(_w[TE], x, p);
            return _w[TBi][i] + FactorKernels.Dot(_w[TBp], x);
        }
        for (int t = 0; t < sample.Count; t++)
        {
            int u = sample.Users[t], i = sample.Positives[t], j = sample.Negatives[t];
            float vi = Visual(i, proj.AsSpan(0, k)), vj = Visual(j, proj.AsSpan(k, k));
            float diff = FactorKernels.DotDifference(_w[TGu].AsSpan(u * f, f), _w[TGi].AsSpan(i * f, f), _w[TGi].AsSpan(j * f, f))
                + FactorKernels.DotDifference(_w[TTu].AsSpan(u * k, k), proj.AsSpan(0, k), proj.AsSpan(k, k)) + vi - vj;
            loss += FactorKernels.BprLoss(diff, out _);
        }
        return loss;
    }

    private void CheckTargets(Perturbation p)
    {
        if (p.Targets.Count != 3 || !p.Targets.SequenceEqual(PerturbationTargets))
            throw new ArgumentException($"the perturbation's targets ({string.Join(", ", p.Targets)}) do not match this model's ({string.Join(", ", PerturbationTargets)})");
    }

    // ---------------------------------------------------------------- persistence

    /// <summary>
    /// Writes the model to <paramref name="path"/> (a versioned binary file: format, model name, options, shapes, then
    /// γ_u, γ_i, θ_u, Eᵀ, β′, b). The features are not stored: pass the same features to <see cref="Load"/>. Atomic.
    /// </summary>
    public void Save(string path) => FileFormat.Write(path, Options, bw =>
    {
        bw.Write(NumUsers);
        bw.Write(NumItems);
        bw.Write(_d);
        foreach (var t in _w) FactorFile.WriteTable(bw, t);
    });

    /// <summary>
    /// Reads a model written by <see cref="Save"/>, scoring with <paramref name="features"/> (which must have the saved
    /// item count and dimension). With <paramref name="train"/> it can be trained further and attacked.
    /// </summary>
    /// <exception cref="DataFormatException">The file is not a VBPR model file of a known version, is truncated, or its shapes do not match.</exception>
    public static Vbpr Load(string path, ItemFeatures features, Interactions? train = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        return FileFormat.Read(path, (br, options) =>
        {
            var (_, users, items, d) = ReadShapes(br, options);
            if (users < 1 || items != features.NumItems || d != features.Dimension)
                throw new DataFormatException(path, 0, $"the model has {users} users, {items} items and {d}-d features; the features given have {features.NumItems} items of {features.Dimension}");
            if (train is not null && (train.NumUsers != users || train.NumItems != items))
                throw new DataFormatException(path, 0, $"the model has {users} users × {items} items but the data has {train.NumUsers} users × {train.NumItems} items");
            int f = options.Factors, k = options.FactorsD;
            int[] sizes = [checked(users * f), checked(items * f), checked(users * k), checked(k * d), d, items];
            var tables = new float[TableCount][];
            for (int t = 0; t < TableCount; t++) tables[t] = FactorFile.ReadTable(br, sizes[t], path);
            FactorFile.CheckEnd(br, path);
            return new Vbpr(options, features, users, tables, train);
        });
    }

    /// <summary>Reads the options and shapes of a model file written by <see cref="Save"/>, without its tables.</summary>
    /// <exception cref="DataFormatException">The file is missing, or is not a VBPR model file of a known version.</exception>
    public static VbprFileInfo ReadInfo(string path) => FileFormat.Read(path, ReadShapes);

    // the shapes after the header: users, items, D
    private static VbprFileInfo ReadShapes(BinaryReader br, VbprOptions options) => new(options, br.ReadInt32(), br.ReadInt32(), br.ReadInt32());

    /// <summary>A copy of <paramref name="source"/>'s parameters in a new model with <paramref name="options"/> (same shapes), fresh optimizer state.</summary>
    internal static Vbpr CopyOf(Vbpr source, VbprOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        options.Validate();
        if (options.Factors != source.Options.Factors || options.FactorsD != source.Options.FactorsD)
            throw new ArgumentException($"the pre-trained VBPR has factors {source.Options.Factors} and factors_d {source.Options.FactorsD}; the options ask for {options.Factors} and {options.FactorsD}", nameof(options));
        return new Vbpr(options, source.Features, source.NumUsers, source._w.Select(t => (float[])t.Clone()).ToArray(), source._train);
    }
}
