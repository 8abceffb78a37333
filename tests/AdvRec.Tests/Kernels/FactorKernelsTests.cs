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
