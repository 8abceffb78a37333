using System.Numerics;
using AdvRec.Kernels;

namespace AdvRec.Tests.Kernels;

public unsafe class GemmTests
{
    private static T[] RandomMatrix<T>(int rows, int cols, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Xoshiro(seed);
        return [.. Enumerable.Range(0, rows * cols).Select(_ => T.CreateChecked(rng.NextFloat() - 0.5f))];
    }

    // C += α·op(A)·op(B) with plain loops in double.
    private static double[] Naive<T>(int m, int n, int k, double alpha, T[] a, bool transA, T[] b, bool transB, T[] c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = c.Select(double.CreateChecked).ToArray();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += double.CreateChecked(transA ? a[p * m + i] : a[i * k + p]) * double.CreateChecked(transB ? b[j * k + p] : b[p * n + j]);
                result[i * n + j] += alpha * s;
            }
        return result;
    }

    private static void Check<T>(int m, int n, int k, bool transA, bool transB, int threads, bool wide, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = RandomMatrix<T>(m, k, 1);
        var b = RandomMatrix<T>(k, n, 2);
        var c = RandomMatrix<T>(m, n, 3);
        var expected = Naive(m, n, k, -1.5, a, transA, b, transB, c);
        using var ws = new Gemm.Workspace<T>(threads, wide);
        fixed (T* pa = a, pb = b, pc = c)
            Gemm.Multiply(ws, m, n, k, T.CreateChecked(-1.5), pa, transA ? m : k, transA, pb, transB ? k : n, transB, pc, n);
        for (int i = 0; i < m * n; i++)
            Assert.True(Math.Abs(double.CreateChecked(c[i]) - expected[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"C[{i / n},{i % n}] = {c[i]}, expected {expected[i]}");
    }

    [Theory]
    [InlineData(1, 1, 1, false, false, 1)]
    [InlineData(7, 13, 5, false, true, 2)]
    [InlineData(6, 8, 256, true, false, 2)]
    [InlineData(100, 37, 300, true, true, 2)]
    [InlineData(97, 200, 513, false, false, 3)]
    [InlineData(193, 17, 9, false, true, 1)]
    public void MatchesPlainLoopsInEitherPrecisionLayoutAndVectorWidth(int m, int n, int k, bool transA, bool transB, int threads)
    {
        // the 512-bit tile runs (emulated, slowly) where the processor lacks AVX-512
        foreach (bool wide in new[] { false, true })
        {
            Check<double>(m, n, k, transA, transB, threads, wide, 1e-12);
            Check<float>(m, n, k, transA, transB, threads, wide, 1e-4);
        }
    }

    [Fact]
    public void LowerShapesSkipOnlyWhatIsZeroOrUnwanted()
    {
        const int m = 203, k = 203;
        // LowerC: C −= R·Rᵀ, only the lower triangle compared
        var r = RandomMatrix<double>(m, 40, 4);
        var c = RandomMatrix<double>(m, m, 5);
        var expected = Naive(m, m, 40, -1, r, false, r, true, c);
        using var ws = new Gemm.Workspace<double>(2);
        fixed (double* pr = r, pc = c) Gemm.Multiply(ws, m, m, 40, -1.0, pr, 40, false, pr, 40, true, pc, m, GemmShape.LowerC);
        for (int i = 0; i < m; i++)
            for (int j = 0; j <= i; j++) Assert.Equal(expected[i * m + j], c[i * m + j], 1e-12);
        // LowerA: a lower triangular A (zeros above the diagonal) gives the full product
        var a = RandomMatrix<double>(m, k, 6);
        for (int i = 0; i < m; i++)
            for (int p = i + 1; p < k; p++) a[i * k + p] = 0;
        var b = RandomMatrix<double>(k, 30, 7);
        var d = new double[m * 30];
        var full = Naive(m, 30, k, 1, a, false, b, false, d);
        fixed (double* pa = a, pb = b, pd = d) Gemm.Multiply(ws, m, 30, k, 1.0, pa, k, false, pb, 30, false, pd, 30, GemmShape.LowerA);
        for (int i = 0; i < d.Length; i++) Assert.Equal(full[i], d[i], 1e-12);
    }
}
