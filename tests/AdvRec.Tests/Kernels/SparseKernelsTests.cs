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
    [InlineData(64)]
    [InlineData(75)]
    [InlineData(5)]
    public void SumRowsAddsTheWeightRowsOfEachUsersItems(int width)
    {
        var data = TinyData.Random(40, width, Math.Min(width - 1, 9), 8);
        var rng = new Xoshiro(2);
        var w = Enumerable.Range(0, width * width).Select(_ => rng.NextFloat() - 0.5f).ToArray();
        int[] users = [5, 0, 39, 17];
        var output = new float[users.Length * width];
        fixed (float* pw = w) SparseKernels.SumRows(data.RowPointers, data.ItemIndices, users, pw, width, output);
        for (int r = 0; r < users.Length; r++)
            for (int j = 0; j < width; j++)
            {
                double s = 0;
                foreach (int i in data.ItemsOf(users[r])) s += w[i * width + j];
                Assert.Equal(s, output[r * width + j], 1e-5);
            }
    }
}
