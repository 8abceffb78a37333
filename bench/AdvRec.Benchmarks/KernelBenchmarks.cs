using AdvRec.Kernels;
using BenchmarkDotNet.Attributes;

namespace AdvRec.Benchmarks;

/// <summary>Micro-benchmarks of the fused kernels at the sizes of the ml-1m implicit split (3,583 items, 64 factors).</summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private const int Items = 3583, Factors = 64, K = 100;
    private float[] _p = [], _q = [], _scores = [], _grad = [], _acc = [], _topScores = [];
    private int[] _excluded = [], _top = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Xoshiro(1);
        _p = Enumerable.Range(0, Factors).Select(_ => rng.NextFloat() - 0.5f).ToArray();
        _q = Enumerable.Range(0, Items * Factors).Select(_ => rng.NextFloat() - 0.5f).ToArray();
        _grad = Enumerable.Range(0, Factors).Select(_ => rng.NextFloat() - 0.5f).ToArray();
        _acc = Enumerable.Repeat(0.1f, Factors).ToArray();
        _scores = new float[Items];
        _excluded = Enumerable.Range(0, Items).Where(i => i % 37 == 0).ToArray();
        _top = new int[K];
        _topScores = new float[K];
        FactorKernels.ScoreUsers([0], _p, _q, default, Factors, Items, _scores);
    }

    /// <summary>One 64-factor dot product.</summary>
    [Benchmark]
    public float Dot64() => FactorKernels.Dot(_p, _q.AsSpan(0, Factors));

    /// <summary>One user against every item.</summary>
    [Benchmark]
    public void ScoreOneUser() => FactorKernels.ScoreUsers([0], _p, _q, default, Factors, Items, _scores);

    /// <summary>Top-100 of one score row, skipping training items.</summary>
    [Benchmark]
    public int TopK100() => TopK.Select(_scores, _excluded, K, _top, _topScores);

    /// <summary>One Adagrad row update (Keras semantics).</summary>
    [Benchmark]
    public void AdagradRow() => FactorKernels.AdagradRow(_p, _grad, _acc, 1e-6f, 1e-7f);
}
