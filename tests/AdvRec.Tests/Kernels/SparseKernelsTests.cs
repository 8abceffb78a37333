using AdvRec.Kernels;
using AdvRec.Tests.Models;

namespace AdvRec.Tests.Kernels;

public unsafe class SparseKernelsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void GramLowerCountsTheRowsThatShareEachPair(int threads)
    {
        var data = TinyData.Random(120, 75, 15, 3);
        int n = data.NumItems;
        var dense = new int[n, n];
        for (int u = 0; u < data.NumUsers; u++)
            foreach (int i in data.ItemsOf(u))
                foreach (int j in data.ItemsOf(u)) dense[i, j]++;
        var gram = Enumerable.Repeat(double.NaN, n * n).ToArray(); // every value is written
        fixed (double* g = gram) SparseKernels.GramLower(data.RowPointers, data.ItemIndices, n, g, n, threads);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) Assert.Equal(j <= i ? dense[i, j] : 0, gram[i * n + j]);
    }

    [Fact]
    public void GramLowerRejectsIndicesOutOfOrderOrRange()
    {
        var g = new float[9];
        fixed (float* p = g)
        {
            float* q = p;
            Assert.Throws<ArgumentException>(() => SparseKernels.GramLower([0, 2], [2, 1], 3, q, 3));
            Assert.Throws<ArgumentOutOfRangeException>(() => SparseKernels.GramLower([0, 1], [3], 3, q, 3));
        }
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(75, 130)]
    [InlineData(5, 5)]
    public void StripedSumRowsAddsTheWeightRowsOfEachUsersItems(int rows, int width)
    {
        var data = TinyData.Random(40, rows, Math.Min(rows - 1, 9), 8);
        var rng = new Xoshiro(2);
        var w = Enumerable.Range(0, rows * width).Select(_ => rng.NextFloat() - 0.5f).ToArray();
        using var striped = new StripedMatrix(rows, width);
        striped.CopyFrom(w);
        var back = new float[w.Length];
        striped.CopyTo(back);
        Assert.Equal(w, back);
        int[] users = [5, 0, 39, 17];
        var output = Enumerable.Repeat(float.NaN, users.Length * width).ToArray();
        striped.SumRows(data.RowPointers, data.ItemIndices, users, output);
        for (int r = 0; r < users.Length; r++)
            for (int j = 0; j < width; j++)
            {
                double s = 0;
                foreach (int i in data.ItemsOf(users[r])) s += w[i * width + j];
                Assert.Equal(s, output[r * width + j], 1e-5);
            }
        Assert.Throws<ArgumentException>(() => striped.SumRows(data.RowPointers, data.ItemIndices, users, new float[3]));
    }
}
