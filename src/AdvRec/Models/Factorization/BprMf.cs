using System.Diagnostics;
using System.Runtime.CompilerServices;
using AdvRec.Data;
using AdvRec.Kernels;

namespace AdvRec.Models.Factorization;

/// <summary>
/// Hyperparameters of <see cref="BprMf"/>. Defaults are those of the APR paper's BPR-MF (He et al., SIGIR 2018)
/// and the hands-on notebook (PROTOCOLS §1).
/// </summary>
public sealed record BprMfOptions : ISeededOptions, IThreadedOptions
{
    /// <summary>Embedding size (APR paper: 64).</summary>
    public int Factors { get; init; } = 64;

    /// <summary>Learning rate (APR code: 0.05, with Adagrad).</summary>
    [ConfigAlias("lr")]
    public float LearningRate { get; init; } = 0.05f;

    /// <summary>L2 weight on the batch's embedding rows, <c>reg · ½‖row‖²</c> per occurrence (APR paper: 0; Elliot's l_w).</summary>
    [ConfigAlias("l_w", "user_regularization", "positive_item_regularization", "negative_item_regularization")]
    public float Regularization { get; init; }

    /// <summary>Learn an item bias <c>b_i</c> (Elliot's AMF); the APR paper has none.</summary>
    public bool ItemBias { get; init; }

    /// <summary>L2 weight on the item bias, <c>reg · ½ b²</c> per occurrence (Elliot's l_b); used only with <see cref="ItemBias"/>.</summary>
    [ConfigAlias("l_b", "bias_regularization")]
    public float BiasRegularization { get; init; }

    /// <summary>Triples per mini-batch: gradients are summed over the batch, then applied to the rows it touched (APR code: 512). 1 = per-triple updates.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Initialisation of the embeddings (APR code: truncated normal; Elliot: Glorot uniform).</summary>
    public Initialization Init { get; init; } = Initialization.TruncatedNormal;

    /// <summary>Standard deviation of the truncated-normal initialisation, cut at two deviations (APR code: 0.01).</summary>
    public float InitStd { get; init; } = 0.01f;

    /// <summary>Optimizer (APR code: Adagrad).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adagrad;

    /// <summary>Adagrad's initial accumulator value (Keras: 0.1).</summary>
    public float AdagradInitialAccumulator { get; init; } = 0.1f;

    /// <summary>Optimizer epsilon (Keras Adagrad and Adam: 1e-7).</summary>
    public float OptimizerEpsilon { get; init; } = 1e-7f;

    /// <summary>Adam's first-moment decay (0.9).</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Adam's second-moment decay (0.999).</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Seed of every random choice: initialisation, epoch order, negatives.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>
    /// Threads; 0 = all cores. With two or more, training runs as a pipeline (one thread samples the next batch
    /// while another applies the current one) and full-data gradients run in parallel. Results do not depend on it.
    /// </summary>
    public int Threads { get; init; }

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        if (Factors < 1) throw new ArgumentOutOfRangeException(nameof(Factors), Factors, "factors must be >= 1");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be > 0");
        if (!(Regularization >= 0)) throw new ArgumentOutOfRangeException(nameof(Regularization), Regularization, "regularization must be >= 0");
        if (!(BiasRegularization >= 0)) throw new ArgumentOutOfRangeException(nameof(BiasRegularization), BiasRegularization, "bias regularization must be >= 0");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be >= 1");
        if (!(InitStd >= 0)) throw new ArgumentOutOfRangeException(nameof(InitStd), InitStd, "init std must be >= 0");
        if (!(AdagradInitialAccumulator >= 0)) throw new ArgumentOutOfRangeException(nameof(AdagradInitialAccumulator), AdagradInitialAccumulator, "must be >= 0");
        if (!(OptimizerEpsilon > 0)) throw new ArgumentOutOfRangeException(nameof(OptimizerEpsilon), OptimizerEpsilon, "must be > 0");
        if (!(Beta1 is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "must be in [0, 1)");
        if (!(Beta2 is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "must be in [0, 1)");
        if (Threads < 0) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "threads must be >= 0 (0 = all cores)");
    }
}

/// <summary>
/// BPR-MF (Rendle et al. 2009) as used by APR (He et al. 2018): score <c>x_ui = p_u · q_i</c> (plus an optional
/// item bias), loss <c>Σ softplus(−clip(x_ui − x_uj, −80, 1e8))</c> over sampled triples. Each epoch visits every
/// training pair once in shuffled order, with one uniform negative not among the user's training items.
/// Training runs on fused managed kernels, one pass per triple, with analytic gradients and no allocation per
/// batch; <see cref="TrainEpoch(AdversarialStep?, IProgress{ProgressUpdate}?, CancellationToken)"/> with an <see cref="AdversarialStep"/> trains with APR. Perturbable targets:
/// the user and the item embedding tables.
/// </summary>
public sealed class BprMf : IIterativeModel, IPersistentModel
{
    /// <summary>The model's name, as in configs and outputs.</summary>
    public const string ModelName = "BPR-MF";

    /// <summary>Name of the user embedding target.</summary>
    public const string UserEmbeddings = "user_embeddings";

    /// <summary>Name of the item embedding target.</summary>
    public const string ItemEmbeddings = "item_embeddings";

    private static readonly FactorFile<BprMfOptions> FileFormat = new("ADVRECMF", 1, ModelName, "factorization");

    // tables in the optimizer
    private const int TP = 0, TQ = 1, TBias = 2;

    private readonly int _f;
    private readonly float[] _p;
    private readonly float[] _q;
    private readonly float[]? _bias;
    private readonly Interactions? _train;
    private RowOptimizer? _optimizer;
    private TripleSampler? _sampler;
    private float[][]? _gradientScratch;
    private Updater? _updater;

    /// <summary>A new model for <paramref name="train"/>, initialised from <see cref="BprMfOptions.Seed"/>.</summary>
    public BprMf(BprMfOptions options, Interactions train)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("the training data has no interactions", nameof(train));
        Options = options;
        _train = train;
        NumUsers = train.NumUsers;
        NumItems = train.NumItems;
        _f = options.Factors;
        _p = new float[checked(NumUsers * _f)];
        _q = new float[checked(NumItems * _f)];
        _bias = options.ItemBias ? new float[NumItems] : null;
        var rng = Xoshiro.Derive(options.Seed, 0);
        FactorInit.Fill(_p, NumUsers, _f, options.Init, options.InitStd, ref rng);
        FactorInit.Fill(_q, NumItems, _f, options.Init, options.InitStd, ref rng);
        PerturbationTargets = Targets(NumUsers, NumItems, _f);
    }

    private BprMf(BprMfOptions options, int users, int items, float[] p, float[] q, float[]? bias, Interactions? train)
    {
        Options = options;
        NumUsers = users;
        NumItems = items;
        _f = options.Factors;
        _p = p;
        _q = q;
        _bias = bias;
        _train = train;
        PerturbationTargets = Targets(users, items, _f);
    }

    /// <summary>The hyperparameters.</summary>
    public BprMfOptions Options { get; }

    /// <inheritdoc/>
    public int NumUsers { get; }

    /// <inheritdoc/>
    public int NumItems { get; }

    /// <summary>Epochs trained so far.</summary>
    public int EpochsTrained { get; private set; }

    /// <summary>Always false: plain BPR-MF; pass an <see cref="AdversarialStep"/> to <see cref="TrainEpoch(AdversarialStep?, IProgress{ProgressUpdate}?, CancellationToken)"/> for APR.</summary>
    public bool NextEpochIsAdversarial => false;

    /// <summary>The user embeddings, row-major (users × factors). Read-only view.</summary>
    public ReadOnlySpan<float> UserFactors => _p;

    /// <summary>The item embeddings, row-major (items × factors). Read-only view.</summary>
    public ReadOnlySpan<float> ItemFactors => _q;

    /// <summary>The item biases (empty without <see cref="BprMfOptions.ItemBias"/>).</summary>
    public ReadOnlySpan<float> ItemBiases => _bias;

    /// <inheritdoc/>
    public IReadOnlyList<PerturbationTarget> PerturbationTargets { get; }

    private int ThreadCount => Options.Threads == 0 ? Environment.ProcessorCount : Options.Threads;

    private static PerturbationTarget[] Targets(int users, int items, int f) =>
        [new(UserEmbeddings, users, f), new(ItemEmbeddings, items, f)];

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<int> users, Span<float> scores) =>
        FactorKernels.ScoreUsers(users, _p, _q, _bias, _f, NumItems, scores);

    /// <inheritdoc/>
    public IPerturbedView WithPerturbation(Perturbation delta)
    {
        CheckTargets(delta);
        var p = (float[])_p.Clone();
        var q = (float[])_q.Clone();
        FactorKernels.AddScaled(p, delta.Table(0), 1f);
        FactorKernels.AddScaled(q, delta.Table(1), 1f);
        return new FactorScorer(p, q, _bias is null ? null : (float[])_bias.Clone(), _f, NumUsers, NumItems);
    }

    /// <summary>Does nothing: the model holds only managed arrays (its sampler threads live within an epoch).</summary>
    public void Dispose()
    {
    }

    // ---------------------------------------------------------------- training

    /// <summary>
    /// Trains one epoch: every training pair once, in an order shuffled from the seed and the epoch index, each
    /// with one uniform negative. With <paramref name="adversarial"/>, every batch minimises
    /// <c>L_BPR(θ) + R(θ) + λ·L_BPR(θ + Δ)</c> (APR). With two or more threads, one thread shuffles and samples
    /// the next batch while another applies the current one; the result is the same for any number of threads.
    /// </summary>
    public EpochStats TrainEpoch(AdversarialStep? adversarial = null, IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default)
    {
        var train = _train ?? throw new InvalidOperationException("this model was loaded without its training data; pass the training interactions to Load to train it further");
        adversarial?.Validate();
        var sw = Stopwatch.StartNew();
        int epoch = EpochsTrained;
        bool perTriple = Options.BatchSize == 1 && adversarial is null && Options.Optimizer == OptimizerKind.Sgd;
        int unitSize = perTriple ? PerTripleUnit : Options.BatchSize;
        var sampler = _sampler ??= new TripleSampler(train, Options.Seed);
        sampler.StartEpoch(epoch, unitSize, assignSlots: !perTriple);
        int units = sampler.Units;
        var optimizer = _optimizer ??= new RowOptimizer([_p, _q, _bias], Options.Optimizer, Options.LearningRate,
            Options.AdagradInitialAccumulator, Options.OptimizerEpsilon, Options.Beta1, Options.Beta2);
        var updater = _updater ??= new Updater(Options.BatchSize, NumUsers, NumItems, _f);
        updater.Loss = updater.AdvLoss = 0;
        updater.Steps = 0;
        string task = adversarial is null ? $"{ModelName} epoch {epoch + 1}" : $"{ModelName} APR epoch {epoch + 1}";

        void Update(int unit, SampledUnit batch)
        {
            if (perTriple) UpdatePerTriple(updater, batch);
            else UpdateBatch(updater, optimizer, batch, adversarial);
            if (progress is not null && unit % 16 == 0) progress.Report(new ProgressUpdate(task, unit + 1, units));
        }

        // The notebook's Δ provider is itself a parallel full-data pass: then sample on the same thread.
        sampler.Run(ThreadCount > 1 && adversarial?.DeltaProvider is null, Update, cancellationToken);
        progress?.Report(new ProgressUpdate(task, units, units));
        EpochsTrained++;
        return new EpochStats(epoch, updater.Loss, updater.AdvLoss, updater.Steps, sw.Elapsed.TotalSeconds);
    }

    /// <inheritdoc/>
    public EpochStats TrainEpoch(IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken) => TrainEpoch(null, progress, cancellationToken);

    /// <inheritdoc/>
    public object TakeSnapshot() => new float[][] { (float[])_p.Clone(), (float[])_q.Clone(), _bias is null ? [] : (float[])_bias.Clone() };

    /// <inheritdoc/>
    public void RestoreSnapshot(object snapshot)
    {
        if (snapshot is not float[][] { Length: 3 } tables || tables[0].Length != _p.Length || tables[1].Length != _q.Length)
            throw new ArgumentException("not a snapshot of this model", nameof(snapshot));
        tables[0].CopyTo(_p, 0);
        tables[1].CopyTo(_q, 0);
        if (_bias is not null) tables[2].CopyTo(_bias, 0);
    }

    // Triples per work unit on the per-triple SGD path (one RNG stream and one hand-off per unit).
    private const int PerTripleUnit = 1024;

    /// <summary>
    /// The updater's buffers: gradients (and Δ) of the rows a batch touched, by slot — small enough to stay in
    /// cache, unlike tables of every row.
    /// </summary>
    private sealed class Updater(int batch, int users, int items, int f)
    {
        public readonly float[] GradU = new float[Math.Min(batch, users) * f], GradI = new float[Math.Min(2 * batch, items) * f];
        public readonly float[] DeltaU = new float[Math.Min(batch, users) * f], DeltaI = new float[Math.Min(2 * batch, items) * f];
        public readonly float[] GradB = new float[Math.Min(2 * batch, items)], Temp = new float[3 * f];
        public float[]? MsapGradU, MsapGradI; // the gradient at θ + Δ of multi-step APR, allocated on first use
        public double Loss, AdvLoss;
        public long Steps;
    }

    // The fastest path: per-triple SGD, gradient and update fused.
    private void UpdatePerTriple(Updater w, SampledUnit s)
    {
        int f = _f;
        float lr = Options.LearningRate, reg = Options.Regularization, regB = Options.BiasRegularization;
        for (int t = 0; t < s.Count; t++)
        {
            int u = s.U[t], i = s.I[t], j = s.J[t];
            float biasDiff = _bias is null ? 0f : _bias[i] - _bias[j];
            w.Loss += FactorKernels.SgdTriple(_p.AsSpan(u * f, f), _q.AsSpan(i * f, f), _q.AsSpan(j * f, f), biasDiff, lr, reg, out float g);
            if (_bias is not null)
            {
                _bias[i] -= lr * (g + regB * _bias[i]);
                _bias[j] -= lr * (-g + regB * _bias[j]);
            }
        }
        w.Steps += s.Count;
    }

    // One mini-batch: gradients summed over the batch at the parameters it started from, then applied once to
    // each touched row. With APR, a second pass adds λ·∇L_BPR(θ + Δ).
    private void UpdateBatch(Updater w, RowOptimizer optimizer, SampledUnit s, AdversarialStep? adv)
    {
        int f = _f, m = s.Count;
        float reg = Options.Regularization, regB = Options.BiasRegularization;
        w.Steps += m;

        // pass 1: the plain BPR gradient at the clean point (also the FGSM direction)
        for (int t = 0; t < m; t++)
        {
            if (t + PrefetchDistance < m) PrefetchTriple(s, t + PrefetchDistance);
            int u = s.U[t], i = s.I[t], j = s.J[t], si = s.SlotI[t], sj = s.SlotJ[t];
            float biasDiff = _bias is null ? 0f : _bias[i] - _bias[j];
            w.Loss += FactorKernels.BprTripleGradient(_p.AsSpan(u * f, f), _q.AsSpan(i * f, f), _q.AsSpan(j * f, f), biasDiff,
                w.GradU.AsSpan(s.SlotU[t] * f, f), w.GradI.AsSpan(si * f, f), w.GradI.AsSpan(sj * f, f), 1f, out float g);
            if (_bias is not null) { w.GradB[si] += g; w.GradB[sj] -= g; }
            if (adv is null) AddRegularization(w, s, t, reg, regB);
        }

        if (adv is not null)
        {
            // Δ rows: from the provider's full tables (by row), or FGSM on this batch (by slot)
            float[]? dP = null, dQ = null;
            if (adv.DeltaProvider is { } provider)
            {
                var delta = provider();
                CheckTargets(delta);
                dP = delta.Array(0);
                dQ = delta.Array(1);
            }
            else if (adv.Steps == 1)
            {
                for (int r = 0; r < s.NumTouchedU; r++)
                    FactorKernels.ScaleToNorm(w.GradU.AsSpan(r * f, f), w.DeltaU.AsSpan(r * f, f), adv.Epsilon);
                for (int r = 0; r < s.NumTouchedI; r++)
                    FactorKernels.ScaleToNorm(w.GradI.AsSpan(r * f, f), w.DeltaI.AsSpan(r * f, f), adv.Epsilon);
            }
            else BatchMsap(w, s, adv);
            // pass 2: λ · ∇ L_BPR(θ + Δ), plus the regulariser
            for (int t = 0; t < m; t++)
            {
                w.AdvLoss += PerturbedTripleGradient(w, s, t, dP, dQ, w.GradU, w.GradI, adv.Lambda, out float g);
                if (_bias is not null) { w.GradB[s.SlotI[t]] += g; w.GradB[s.SlotJ[t]] -= g; }
                AddRegularization(w, s, t, reg, regB);
            }
        }
        ApplyAndClear(w, optimizer, s);
    }

    // Multi-step APR: Δ (by slot) is MSAP on the batch's BPR loss. The first step follows the clean gradient (pass 1's),
    // each further one the gradient at θ + Δ; every step has length step size per row and is projected back into the
    // ε ball. The clean gradient in GradU/GradI is kept for the update.
    private void BatchMsap(Updater w, SampledUnit s, AdversarialStep adv)
    {
        int f = _f, m = s.Count;
        float alpha = adv.EffectiveStepSize, eps = adv.Epsilon;
        var gU = w.MsapGradU ??= new float[w.GradU.Length];
        var gI = w.MsapGradI ??= new float[w.GradI.Length];
        Array.Clear(w.DeltaU, 0, s.NumTouchedU * f);
        Array.Clear(w.DeltaI, 0, s.NumTouchedI * f);
        var step = w.Temp.AsSpan(0, f);
        for (int k = 0; k < adv.Steps; k++)
        {
            var (fromU, fromI) = (w.GradU, w.GradI);
            if (k > 0)
            {
                Array.Clear(gU, 0, s.NumTouchedU * f);
                Array.Clear(gI, 0, s.NumTouchedI * f);
                for (int t = 0; t < m; t++) PerturbedTripleGradient(w, s, t, null, null, gU, gI, 1f, out _);
                (fromU, fromI) = (gU, gI);
            }
            StepAndProject(fromU, w.DeltaU, s.NumTouchedU, alpha, eps, step);
            StepAndProject(fromI, w.DeltaI, s.NumTouchedI, alpha, eps, step);
        }
    }

    // The BPR loss of triple t at θ + Δ, with weight · its gradient added to gU and gI by slot; Δ by slot (w.DeltaU,
    // w.DeltaI), or by row from a provider's full tables dP and dQ. g is the weighted gradient of the bias difference.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float PerturbedTripleGradient(Updater w, SampledUnit s, int t, float[]? dP, float[]? dQ, float[] gU, float[] gI, float weight, out float g)
    {
        int f = _f, u = s.U[t], i = s.I[t], j = s.J[t], su = s.SlotU[t], si = s.SlotI[t], sj = s.SlotJ[t];
        var pu2 = w.Temp.AsSpan(0, f);
        var qi2 = w.Temp.AsSpan(f, f);
        var qj2 = w.Temp.AsSpan(2 * f, f);
        FactorKernels.Add(_p.AsSpan(u * f, f), dP is null ? w.DeltaU.AsSpan(su * f, f) : dP.AsSpan(u * f, f), pu2);
        FactorKernels.Add(_q.AsSpan(i * f, f), dQ is null ? w.DeltaI.AsSpan(si * f, f) : dQ.AsSpan(i * f, f), qi2);
        FactorKernels.Add(_q.AsSpan(j * f, f), dQ is null ? w.DeltaI.AsSpan(sj * f, f) : dQ.AsSpan(j * f, f), qj2);
        float biasDiff = _bias is null ? 0f : _bias[i] - _bias[j];
        return FactorKernels.BprTripleGradient(pu2, qi2, qj2, biasDiff, gU.AsSpan(su * f, f), gI.AsSpan(si * f, f), gI.AsSpan(sj * f, f), weight, out g);
    }

    // delta += alpha · g/‖g‖ per row, then rows longer than eps are scaled back to eps
    private void StepAndProject(float[] g, float[] delta, int rows, float alpha, float eps, Span<float> step)
    {
        int f = _f;
        for (int r = 0; r < rows; r++)
        {
            var row = delta.AsSpan(r * f, f);
            FactorKernels.ScaleToNorm(g.AsSpan(r * f, f), step, alpha);
            FactorKernels.Add(row, step, row);
            FactorKernels.ClipToNorm(row, eps);
        }
    }

    // Rows are scattered over tables larger than the cache: ask for the next rows while this one computes.
    private const int PrefetchDistance = 4;

    private void PrefetchTriple(SampledUnit s, int t)
    {
        int f = _f;
        FactorKernels.Prefetch(_p, s.U[t] * f, f);
        FactorKernels.Prefetch(_q, s.I[t] * f, f);
        FactorKernels.Prefetch(_q, s.J[t] * f, f);
    }

    private void AddRegularization(Updater w, SampledUnit s, int t, float reg, float regB)
    {
        int f = _f, i = s.I[t], j = s.J[t], si = s.SlotI[t], sj = s.SlotJ[t];
        if (reg > 0)
        {
            FactorKernels.AddScaled(w.GradU.AsSpan(s.SlotU[t] * f, f), _p.AsSpan(s.U[t] * f, f), reg);
            FactorKernels.AddScaled(w.GradI.AsSpan(si * f, f), _q.AsSpan(i * f, f), reg);
            FactorKernels.AddScaled(w.GradI.AsSpan(sj * f, f), _q.AsSpan(j * f, f), reg);
        }
        if (_bias is not null && regB > 0)
        {
            w.GradB[si] += regB * _bias[i];
            w.GradB[sj] += regB * _bias[j];
        }
    }

    private void ApplyAndClear(Updater w, RowOptimizer optimizer, SampledUnit s)
    {
        var users = s.TouchedU.AsSpan(0, s.NumTouchedU);
        var items = s.TouchedI.AsSpan(0, s.NumTouchedI);
        optimizer.BeginStep();
        optimizer.ApplyRows(TP, users, _f, w.GradU, prefetchState: true);
        optimizer.ApplyRows(TQ, items, _f, w.GradI, prefetchState: true);
        if (_bias is not null) optimizer.ApplyRows(TBias, items, 1, w.GradB);
    }

    // ---------------------------------------------------------------- attacks

    /// <inheritdoc/>
    public ILossSample DrawAttackSample(ulong seed) =>
        TripleSampler.DrawAttackSample(_train ?? throw new InvalidOperationException("this model was loaded without its training data; pass the training interactions to Load to attack it"), seed);

    /// <inheritdoc/>
    /// <remarks>
    /// The sample is cut into a fixed number of parts whose gradients are summed in a fixed order, so the result
    /// does not depend on the number of cores. Not safe to call concurrently on one model.
    /// </remarks>
    public double LossGradient(ILossSample sample, Perturbation? at, Perturbation gradient)
    {
        if (sample is not TripleSample triples) throw new ArgumentException($"{ModelName} takes a {nameof(TripleSample)}", nameof(sample));
        CheckTargets(gradient);
        if (at is not null) CheckTargets(at);
        int f = _f, n = triples.Count;
        int parts = n < 4 * 4096 ? 1 : GradientParts;
        _gradientScratch ??= new float[2 * (GradientParts - 1)][];
        var gp = new float[parts][];
        var gq = new float[parts][];
        gp[0] = gradient.Array(0);
        gq[0] = gradient.Array(1);
        for (int w = 1; w < parts; w++)
        {
            gp[w] = _gradientScratch[2 * w - 2] ??= new float[_p.Length];
            gq[w] = _gradientScratch[2 * w - 1] ??= new float[_q.Length];
        }
        var losses = new double[parts];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = ThreadCount }, w =>
        {
            Array.Clear(gp[w]);
            Array.Clear(gq[w]);
            var tmp = new float[3 * f];
            var pu2 = tmp.AsSpan(0, f); var qi2 = tmp.AsSpan(f, f); var qj2 = tmp.AsSpan(2 * f, f);
            int start = (int)((long)n * w / parts), end = (int)((long)n * (w + 1) / parts);
            double loss = 0;
            for (int t = start; t < end; t++)
            {
                int u = triples.Users[t], i = triples.Positives[t], j = triples.Negatives[t];
                ReadOnlySpan<float> pu = _p.AsSpan(u * f, f), qi = _q.AsSpan(i * f, f), qj = _q.AsSpan(j * f, f);
                if (at is not null)
                {
                    FactorKernels.Add(pu, at.Row(0, u), pu2); pu = pu2;
                    FactorKernels.Add(qi, at.Row(1, i), qi2); qi = qi2;
                    FactorKernels.Add(qj, at.Row(1, j), qj2); qj = qj2;
                }
                float biasDiff = _bias is null ? 0f : _bias[i] - _bias[j];
                loss += FactorKernels.BprTripleGradient(pu, qi, qj, biasDiff, gp[w].AsSpan(u * f, f), gq[w].AsSpan(i * f, f), gq[w].AsSpan(j * f, f), 1f, out _);
            }
            losses[w] = loss;
        });
        for (int w = 1; w < parts; w++)
        {
            FactorKernels.AddScaled(gp[0], gp[w], 1f);
            FactorKernels.AddScaled(gq[0], gq[w], 1f);
        }
        for (int t = 0; t < 2; t++) if (!gradient.IsActive(t)) gradient.Table(t).Clear();
        return losses.Sum();
    }

    // Parts of a full-data gradient pass: fixed, so that the sum is the same on any machine.
    private const int GradientParts = 4;

    private void CheckTargets(Perturbation p)
    {
        if (p.Targets.Count != 2 || p.Targets[0] != PerturbationTargets[0] || p.Targets[1] != PerturbationTargets[1])
            throw new ArgumentException($"the perturbation's targets ({string.Join(", ", p.Targets)}) do not match this model's ({string.Join(", ", PerturbationTargets)})");
    }

    // ---------------------------------------------------------------- persistence

    /// <summary>
    /// Writes the model to <paramref name="path"/> (a versioned binary file with a header: format, model name,
    /// options, shapes, then the tables). The file is written under a temporary name and moved into place.
    /// </summary>
    public void Save(string path) => FileFormat.Write(path, Options, bw =>
    {
        bw.Write(NumUsers);
        bw.Write(NumItems);
        bw.Write(_f);
        bw.Write(_bias is not null);
        FactorFile.WriteTable(bw, _p);
        FactorFile.WriteTable(bw, _q);
        if (_bias is not null) FactorFile.WriteTable(bw, _bias);
    });

    /// <summary>
    /// Reads a model written by <see cref="Save"/>. With <paramref name="train"/>, checks that its user and item
    /// counts match the model's and keeps it so that the model can be trained further and attacked.
    /// </summary>
    /// <exception cref="DataFormatException">The file is not a BPR-MF model file of a known version, is truncated, or its shapes do not match.</exception>
    public static BprMf Load(string path, Interactions? train = null) => FileFormat.Read(path, (br, options) =>
    {
        int users = br.ReadInt32(), items = br.ReadInt32(), f = br.ReadInt32();
        bool hasBias = br.ReadBoolean();
        if (users < 1 || items < 1 || f != options.Factors || hasBias != options.ItemBias)
            throw new DataFormatException(path, 0, $"inconsistent header: {users} users, {items} items, {f} factors, bias {hasBias}, options {options}");
        if (train is not null && (train.NumUsers != users || train.NumItems != items))
            throw new DataFormatException(path, 0, $"the model has {users} users × {items} items but the data has {train.NumUsers} users × {train.NumItems} items");
        var p = FactorFile.ReadTable(br, checked(users * f), path);
        var q = FactorFile.ReadTable(br, checked(items * f), path);
        var bias = hasBias ? FactorFile.ReadTable(br, items, path) : null;
        FactorFile.CheckEnd(br, path);
        return new BprMf(options, users, items, p, q, bias, train);
    });
}
