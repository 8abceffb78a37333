using System.Runtime.InteropServices;
using AdvRec.Kernels;
using AdvRec.Tests.Neural;
using TorchSharp;

namespace AdvRec.Tests.Kernels;

[Collection(TorchCollection.Name)]
public unsafe class CholeskyTests
{
    // A random symmetric positive definite matrix, X·Xᵀ/n + I with X standard normal (condition number about 5), from libtorch.
    private static double[] Spd(int n, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator((ulong)seed);
        var x = torch.randn([n, n], torch.float64, generator: generator);
        var a = x.matmul(x.t()).div_(n).add_(torch.eye(n, dtype: torch.float64));
        return a.data<double>().ToArray();
    }

    private static double[] Lower(double[] a, int n)
    {
        var lower = (double[])a.Clone();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) lower[i * n + j] = 0;
        return lower;
    }

    private static double RelativeError(double[] got, double[] expected)
    {
        double worst = 0, scale = 0;
        for (int i = 0; i < got.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(got[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        return worst / scale;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(513)]
    [InlineData(2000)]
    public void FactorAndInverseMatchLibtorchInFloat64(int n)
    {
        var a = Spd(n, n);
        double[] expectedL, expectedP;
        using (var scope = torch.NewDisposeScope())
        {
            var t = torch.tensor(a, [n, n]);
            var l = torch.linalg.cholesky(t);
            expectedL = l.data<double>().ToArray();
            expectedP = Lower(torch.cholesky_inverse(l).data<double>().ToArray(), n);
        }
        // only the lower triangle is read: garbage above it must not matter
        var input = (double[])a.Clone();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) input[i * n + j] = double.NaN;
        var factor = (double[])input.Clone();
        Cholesky.Factor<double>(factor, n);
        Assert.True(RelativeError(factor, expectedL) < 1e-6, $"L differs from libtorch's by {RelativeError(factor, expectedL):E2} (relative)");
        var inverse = (double[])input.Clone();
        Cholesky.Invert<double>(inverse, n);
        double error = RelativeError(inverse, expectedP);
        Assert.True(error < 1e-6, $"A⁻¹ differs from libtorch's by {error:E2} (relative)");
    }

    [OpenBlasFact]
    public void OpenBlasInverseMatchesTheManagedOne()
    {
        const int n = 700;
        var a = Spd(n, 11);
        var managed = (double[])a.Clone();
        Cholesky.Invert<double>(managed, n);
        var openBlas = (double[])a.Clone();
        fixed (double* p = openBlas) OpenBlas.Invert(p, n, n);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) openBlas[i * n + j] = 0; // OpenBLAS leaves the upper triangle as it was
        double error = RelativeError(openBlas, managed);
        Assert.True(error < 1e-10, $"OpenBLAS's A⁻¹ differs from the managed one by {error:E2} (relative)");
        var f = a.Select(v => (float)v).ToArray();
        fixed (float* p = f) OpenBlas.Invert(p, n, n, threads: 1);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) f[i * n + j] = 0;
        Assert.True(RelativeError([.. f.Select(v => (double)v)], managed) < 1e-4);
        var bad = Spd(n, 12);
        bad[300 * n + 300] = -1;
        fixed (double* p = bad)
        {
            double* q = p;
            Assert.Contains("not positive definite", Assert.Throws<ArithmeticException>(() => OpenBlas.Invert(q, n, n)).Message);
        }
    }

    [Fact]
    public void Float32InverseIsTheFloat64OneToSinglePrecision()
    {
        const int n = 450;
        var a = Spd(n, 3);
        var p64 = (double[])a.Clone();
        Cholesky.Invert<double>(p64, n);
        var p32 = a.Select(v => (float)v).ToArray();
        Cholesky.Invert<float>(p32, n);
        double error = RelativeError([.. p32.Select(v => (double)v)], p64);
        Assert.True(error < 1e-4, $"float32 A⁻¹ differs from float64's by {error:E2} (relative)");
    }

    [Fact]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        const int n = 517;
        var a = Spd(n, 5);
        var one = (double[])a.Clone();
        var two = (double[])a.Clone();
        var three = (double[])a.Clone();
        Cholesky.Invert<double>(one, n, threads: 1);
        Cholesky.Invert<double>(two, n, threads: 2);
        Cholesky.Invert<double>(three, n, threads: 3);
        Assert.Equal(one, two);
        Assert.Equal(one, three);
    }

    [Fact]
    public void SymmetrizeCopiesTheLowerTriangleUp()
    {
        const int n = 131;
        var a = Spd(n, 9);
        var inverse = (double[])a.Clone();
        Cholesky.Invert<double>(inverse, n);
        fixed (double* p = inverse) Cholesky.Symmetrize(p, n, n);
        // A·A⁻¹ = I with the full inverse
        for (int i = 0; i < n; i += 13)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += a[i * n + k] * inverse[k * n + j];
                Assert.Equal(i == j ? 1 : 0, s, 1e-10);
            }
    }

    [Fact]
    public void ANonPositiveDefiniteMatrixNamesTheRow()
    {
        const int n = 300;
        var a = Spd(n, 2);
        a[250 * n + 250] = -1; // row 250's pivot goes negative
        var e = Assert.Throws<ArithmeticException>(() => Cholesky.Invert<double>(a, n));
        Assert.Contains("not positive definite", e.Message);
        Assert.Contains("row 250", e.Message);
        Assert.Throws<ArgumentException>(() => Cholesky.Invert<double>(new double[8], 3));
    }
}
