using AdvRec.Data;
using AdvRec.Kernels;
using Xunit.Abstractions;

namespace AdvRec.Tests.Data;

public sealed class SyntheticDatasetTests(ITestOutputHelper output)
{
    [Fact]
    public void DefaultDatasetHasTheDocumentedShape()
    {
        var d = SyntheticDataset.Generate(42);
        Assert.True(d.IsSynthetic);
        Assert.Equal("synthetic (seed 42: 2000 users, 1500 items, 16 latent dimensions)", d.Name);
        Assert.Contains("synthetic", d.Description);
        Assert.Equal(2000, d.Users.Count);
        Assert.InRange(d.Items.Count, 1200, 1500); // items never drawn in training get no index
        Assert.Equal(2000, d.Report.TestRows + d.Report.TestRowsDroppedUnseenItem);
        Assert.InRange(d.Report.TestRowsDroppedUnseenItem, 0, 20);
        Assert.Equal(0, d.Report.DuplicatesMerged);
        Assert.Equal(0, d.Report.UsersOnlyInTrain);
        Assert.Null(d.Validation);
        for (int u = 0; u < d.Users.Count; u++)
        {
            Assert.InRange(d.Train.DegreeOf(u) + d.Test.DegreeOf(u), 20, 80);
            Assert.InRange(d.Train.DegreeOf(u), 19, 79);
            Assert.True(d.Test.DegreeOf(u) <= 1);
            foreach (int i in d.Test.ItemsOf(u)) Assert.False(d.Train.Contains(u, i));
        }
    }

    [Fact]
    public void SameSeedSameDataDifferentSeedDifferentData()
    {
        var options = new SyntheticOptions { Users = 300, Items = 200 };
        var a = SyntheticDataset.GenerateLog(7, options);
        var b = SyntheticDataset.GenerateLog(7, options);
        var c = SyntheticDataset.GenerateLog(8, options);
        Assert.Equal(a.UserIndices.ToArray(), b.UserIndices.ToArray());
        Assert.Equal(a.ItemIndices.ToArray(), b.ItemIndices.ToArray());
        Assert.Equal(a.Timestamps.ToArray(), b.Timestamps.ToArray());
        Assert.NotEqual(a.ItemIndices.ToArray(), c.ItemIndices.ToArray());
        var da = SyntheticDataset.Generate(7, options);
        var db = SyntheticDataset.Generate(7, options);
        Assert.Equal(da.Train.ItemIndices.ToArray(), db.Train.ItemIndices.ToArray());
        Assert.Equal(da.Test.ItemIndices.ToArray(), db.Test.ItemIndices.ToArray());
        Assert.Equal(da.Items.Ids, db.Items.Ids);
    }

    [Fact]
    public void LogHasDistinctItemsPerUserAtIncreasingTimes()
    {
        var log = SyntheticDataset.GenerateLog(3, new SyntheticOptions { Users = 200, Items = 300 });
        Assert.False(log.HasRatings);
        var seen = new HashSet<(int, int)>();
        for (int k = 0; k < log.Count; k++)
        {
            Assert.True(seen.Add((log.UserIndices[k], log.ItemIndices[k])));
            if (k > 0 && log.UserIndices[k] == log.UserIndices[k - 1]) Assert.True(log.Timestamps[k] > log.Timestamps[k - 1]);
        }
    }

    [Fact]
    public void PopularityIsSkewed()
    {
        var d = SyntheticDataset.Generate(42);
        var degrees = d.Train.ItemDegrees().OrderDescending().ToArray();
        int top10Percent = degrees.Take(degrees.Length / 10).Sum();
        output.WriteLine($"top 10% of items hold {top10Percent * 100.0 / d.Train.Count:0.0}% of training pairs; max degree {degrees[0]}, median {degrees[degrees.Length / 2]}");
        Assert.True(top10Percent > 0.3 * d.Train.Count);
        Assert.True(degrees[0] > 5 * degrees[degrees.Length / 2]);
    }

    [Fact]
    public void BprMfLearnsThePlantedSignalBetterThanPopularity()
    {
        var d = SyntheticDataset.Generate(42);
        var popularity = d.Train.ItemDegrees().Select(x => (float)x).ToArray();
        double popHr = HitRate(d, (u, scores) => popularity.CopyTo(scores, 0), 100);
        var (p, q) = TrainBprMf(d, factors: 64, epochs: 5, seed: 1);
        int k = 64;
        double bprHr = HitRate(d, (u, scores) =>
        {
            for (int i = 0; i < d.Items.Count; i++)
                scores[i] = System.Numerics.Tensors.TensorPrimitives.Dot(p.AsSpan(u * k, k), q.AsSpan(i * k, k));
        }, 100);
        output.WriteLine($"HR@100: popularity {popHr:0.000}, BPR-MF {bprHr:0.000}");
        Assert.True(bprHr > popHr + 0.15, $"BPR-MF HR@100 {bprHr:0.000} should clearly beat popularity {popHr:0.000}");
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDataset.GenerateLog(1, new SyntheticOptions { Items = 50, MaxInteractions = 80 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDataset.GenerateLog(1, new SyntheticOptions { MinInteractions = 30, MaxInteractions = 20 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDataset.GenerateLog(1, new SyntheticOptions { Temperature = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDataset.Checkerboard(1, 10));
    }

    [Fact]
    public void CheckerboardPlantsParity()
    {
        var d = SyntheticDataset.Checkerboard(10, 20);
        Assert.True(d.IsSynthetic);
        Assert.Equal(10, d.Users.Count);
        Assert.Equal(20, d.Items.Count);
        Assert.Equal(10, d.Test.Count);
        for (int u = 0; u < 10; u++)
        {
            foreach (int i in d.Train.ItemsOf(u)) Assert.Equal(u % 2, i % 2);
            var test = Assert.Single(d.Test.ItemsOf(u).ToArray());
            Assert.Equal(u % 2, test % 2);
            Assert.False(d.Train.Contains(u, test));
            int missing = Enumerable.Range(0, 20).Count(i => i % 2 == u % 2 && !d.Train.Contains(u, i));
            Assert.True(missing >= 2, "something besides the test item is left to recommend");
            Assert.InRange(d.Train.DegreeOf(u), 5, 7);
        }
        Assert.All(d.Train.ItemDegrees(), deg => Assert.True(deg > 0));
        Assert.Equal(d.Train.Count, d.Report.TrainRows);
    }

    private static double HitRate(Dataset d, Action<int, float[]> score, int cutoff)
    {
        var scores = new float[d.Items.Count];
        int hits = 0, users = 0;
        for (int u = 0; u < d.Users.Count; u++)
        {
            var test = d.Test.ItemsOf(u);
            if (test.Length == 0) continue;
            score(u, scores);
            float target = scores[test[0]];
            int rank = 0;
            for (int i = 0; i < scores.Length; i++)
            {
                if (i != test[0] && scores[i] > target && !d.Train.Contains(u, i)) rank++;
            }
            users++;
            if (rank < cutoff) hits++;
        }
        return (double)hits / users;
    }

    /// <summary>A plain BPR-MF (SGD on sampled triples), enough to check that the planted signal is learnable.</summary>
    private static (float[] P, float[] Q) TrainBprMf(Dataset d, int factors, int epochs, ulong seed)
    {
        var rng = new Xoshiro(seed);
        var p = new float[d.Users.Count * factors];
        var q = new float[d.Items.Count * factors];
        for (int x = 0; x < p.Length; x++) p[x] = (float)(0.1 * rng.NextGaussian());
        for (int x = 0; x < q.Length; x++) q[x] = (float)(0.1 * rng.NextGaussian());
        var users = d.Train.UserIndices();
        var items = d.Train.ItemIndices;
        const float lr = 0.05f, reg = 0.005f;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int step = 0; step < users.Length; step++)
            {
                int r = rng.NextInt(users.Length);
                int u = users[r], i = items[r], j;
                do j = rng.NextInt(d.Items.Count); while (d.Train.Contains(u, j));
                var pu = p.AsSpan(u * factors, factors);
                var qi = q.AsSpan(i * factors, factors);
                var qj = q.AsSpan(j * factors, factors);
                float xuij = 0;
                for (int f = 0; f < factors; f++) xuij += pu[f] * (qi[f] - qj[f]);
                float g = 1f / (1f + MathF.Exp(xuij));
                for (int f = 0; f < factors; f++)
                {
                    float puf = pu[f];
                    pu[f] += lr * (g * (qi[f] - qj[f]) - reg * puf);
                    qi[f] += lr * (g * puf - reg * qi[f]);
                    qj[f] += lr * (-g * puf - reg * qj[f]);
                }
            }
        }
        return (p, q);
    }
}
