using AdvRec.Kernels;

namespace AdvRec.Tests.Kernels;

public class FactorKernelsTests
{
    [Theory]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(64)]
    [InlineData(72)]
    public void DotAndScoringMatchScalarLoops(int f)
    {
        var rng = new Xoshiro(7);
        int users = 3, items = 5;
        var p = Enumerable.Range(0, users * f).Select(_ => rng.NextFloat() - 0.5f).ToArray();
        var q = Enumerable.Range(0, items * f).Select(_ => rng.NextFloat() - 0.5f).ToArray();
        var bias = Enumerable.Range(0, items).Select(_ => rng.NextFloat()).ToArray();
        var scores = new float[users * items];
        FactorKernels.ScoreUsers([2, 0, 1], p, q, bias, f, items, scores);
        int[] order = [2, 0, 1];
        for (int r = 0; r < users; r++)
            for (int i = 0; i < items; i++)
            {
                double expected = bias[i];
                for (int c = 0; c < f; c++) expected += (double)p[order[r] * f + c] * q[i * f + c];
                Assert.Equal(expected, scores[r * items + i], 1e-4);
                Assert.Equal(expected - bias[i], FactorKernels.Dot(p.AsSpan(order[r] * f, f), q.AsSpan(i * f, f)), 1e-4);
            }
    }

    [Fact]
    public void BprLossAndDerivativeFollowSoftplusAndClip()
    {
        float loss = FactorKernels.BprLoss(0f, out float g);
        Assert.Equal(Math.Log(2), loss, 1e-6);
        Assert.Equal(-0.5, g, 1e-6);
        loss = FactorKernels.BprLoss(3f, out g);
        Assert.Equal(Math.Log(1 + Math.Exp(-3)), loss, 1e-6);
        Assert.Equal(-1 / (1 + Math.Exp(3)), g, 1e-6);
        // below the clip at -80: loss softplus(80), no gradient
        loss = FactorKernels.BprLoss(-100f, out g);
        Assert.Equal(80.0, loss, 1e-4);
        Assert.Equal(0f, g);
    }

    [Fact]
    public void AdagradRowFollowsKerasSemantics()
    {
        float[] w = [1f, -2f, 0.5f, 0f, 1f, 2f, 3f, 4f];
        float[] g = [0.1f, -0.2f, 0f, 1f, 2f, -3f, 0.5f, 0.25f];
        float[] acc = Enumerable.Repeat(0.1f, 8).ToArray();
        var expectedW = new double[8];
        for (int k = 0; k < 8; k++)
        {
            double a = 0.1 + g[k] * g[k];
            expectedW[k] = w[k] - 0.05 * g[k] / (Math.Sqrt(a) + 1e-7);
        }
        FactorKernels.AdagradRow(w, g, acc, 0.05f, 1e-7f);
        for (int k = 0; k < 8; k++)
        {
            Assert.Equal(expectedW[k], w[k], 1e-6);
            Assert.Equal(0.1 + g[k] * g[k], acc[k], 1e-6);
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(20)]
    [InlineData(84)]
    public void AdamRowMatchesTheScalarUpdateAtAnyLength(int n)
    {
        var rng = new Xoshiro(11);
        float[] w = Rand(n, ref rng), g = Rand(n, ref rng), m = Rand(n, ref rng), v = Rand(n, ref rng).Select(Math.Abs).ToArray();
        var (w0, m0, v0) = ((float[])w.Clone(), (float[])m.Clone(), (float[])v.Clone());
        FactorKernels.AdamRow(w, g, m, v, 0.01f, 0.9f, 0.999f, 1e-7f);
        for (int k = 0; k < n; k++)
        {
            double mk = 0.9 * m0[k] + 0.1 * g[k], vk = 0.999 * v0[k] + 0.001 * g[k] * g[k];
            Assert.Equal(mk, m[k], 1e-6);
            Assert.Equal(vk, v[k], 1e-6);
            Assert.Equal(w0[k] - 0.01 * mk / (Math.Sqrt(vk) + 1e-7), w[k], 1e-5);
        }
    }

    [Theory]
    [InlineData(20, 64)]
    [InlineData(3, 7)]
    [InlineData(16, 32)]
    [InlineData(37, 45)]
    public void ProjectRowsAndAddOuterSumMatchDenseLoops(int k, int d)
    {
        var rng = new Xoshiro(3);
        int items = 11;
        float[] m = Rand(k * d, ref rng), x = Rand(items * d, ref rng);
        int[] rows = [4, 0, 10, 4, 7, 2, 9];
        var mT = new float[d * FactorKernels.PaddedWidth(k)];
        FactorKernels.TransposePadded(m, k, d, mT);
        var dst = Enumerable.Repeat(1f, rows.Length * k).ToArray();
        FactorKernels.ProjectRows(mT, k, x, d, rows, rows.Length, dst, add: true);
        for (int n = 0; n < rows.Length; n++)
            for (int c = 0; c < k; c++)
            {
                double expected = 1;
                for (int t = 0; t < d; t++) expected += (double)m[c * d + t] * x[rows[n] * d + t];
                Assert.Equal(expected, dst[n * k + c], 1e-4);
            }
        FactorKernels.ProjectRows(mT, k, x, d, default, 3, dst);
        Assert.Equal(FactorKernels.Dot(m.AsSpan(d, d), x.AsSpan(2 * d, d)), dst[2 * k + 1], 1e-4f);

        var a = Rand(rows.Length * k, ref rng);
        var grad = Enumerable.Repeat(0.5f, k * d).ToArray();
        FactorKernels.AddOuterSum(grad, k, a, x, d, rows, rows.Length);
        for (int c = 0; c < k; c++)
            for (int t = 0; t < d; t++)
            {
                double expected = 0.5;
                for (int n = 0; n < rows.Length; n++) expected += (double)a[n * k + c] * x[rows[n] * d + t];
                Assert.Equal(expected, grad[c * d + t], 1e-4);
            }
    }

    private static float[] Rand(int n, ref Xoshiro rng)
    {
        var v = new float[n];
        for (int k = 0; k < n; k++) v[k] = (float)rng.NextGaussian();
        return v;
    }

    [Fact]
    public void ScaleToNormGivesExactNormAndKeepsZeroRowsZero()
    {
        float[] src = [3f, 4f, 0f, 0f, 0f, 0f, 0f, 0f];
        var dst = new float[8];
        float norm = FactorKernels.ScaleToNorm(src, dst, 0.5f);
        Assert.Equal(5f, norm, 1e-6f);
        Assert.Equal(0.3f, dst[0], 1e-6f);
        Assert.Equal(0.4f, dst[1], 1e-6f);
        var zero = new float[8];
        FactorKernels.ScaleToNorm(zero, dst, 0.5f);
        Assert.All(dst, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void DerivedStreamsAreReproducibleAndDistinct()
    {
        var a = Xoshiro.Derive(42, 1, 2);
        var b = Xoshiro.Derive(42, 1, 2);
        var c = Xoshiro.Derive(42, 1, 3);
        ulong x = a.NextUInt64();
        Assert.Equal(x, b.NextUInt64());
        Assert.NotEqual(x, c.NextUInt64());
        var r = new Xoshiro(1);
        var counts = new int[10];
        for (int k = 0; k < 100_000; k++) counts[r.NextInt(10)]++;
        Assert.All(counts, n => Assert.InRange(n, 9_000, 11_000));
    }
}
