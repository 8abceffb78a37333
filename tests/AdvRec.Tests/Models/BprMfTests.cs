using AdvRec.Data;
using AdvRec.Models.Factorization;

namespace AdvRec.Tests.Models;

public class BprMfTests
{
    [Fact]
    public void TheSameSeedGivesTheSameScoresSingleThreaded()
    {
        var train = TinyData.Random(users: 30, items: 40, perUser: 8, seed: 2);
        float[] Run()
        {
            var model = new BprMf(new BprMfOptions { Factors = 16, Threads = 1, Seed = 9 }, train);
            for (int e = 0; e < 3; e++) model.TrainEpoch();
            var scores = new float[train.NumUsers * train.NumItems];
            model.Score(Enumerable.Range(0, train.NumUsers).ToArray(), scores);
            return scores;
        }
        Assert.Equal(Run(), Run());
    }

    [Theory]
    [InlineData(OptimizerKind.Adagrad, 64)]
    [InlineData(OptimizerKind.Sgd, 1)]
    [InlineData(OptimizerKind.Adam, 32)]
    public void TheThreadCountDoesNotChangeTheResult(OptimizerKind optimizer, int batch)
    {
        // one thread samples while another updates: the updates are the same sequence as on one thread
        var train = TinyData.Random(users: 300, items: 200, perUser: 12, seed: 5);
        float[] Run(int threads)
        {
            var model = new BprMf(new BprMfOptions { Factors = 16, Optimizer = optimizer, BatchSize = batch, Threads = threads, LearningRate = 0.01f }, train);
            for (int e = 0; e < 2; e++) model.TrainEpoch();
            model.TrainEpoch(new AdvRec.Models.AdversarialStep(0.1f, 1f));
            return model.UserFactors.ToArray().Concat(model.ItemFactors.ToArray()).ToArray();
        }
        Assert.Equal(Run(1), Run(2));
        Assert.Equal(Run(1), Run(3));
    }

    [Theory]
    [InlineData(OptimizerKind.Adagrad, 512, 0.05f)]
    [InlineData(OptimizerKind.Sgd, 1, 0.05f)]
    [InlineData(OptimizerKind.Sgd, 64, 0.05f)]
    [InlineData(OptimizerKind.Adam, 64, 0.01f)]
    public void EveryOptimizerLowersTheTrainingLoss(OptimizerKind optimizer, int batch, float lr)
    {
        var train = TinyData.Random(users: 80, items: 60, perUser: 10, seed: 4);
        var model = new BprMf(new BprMfOptions { Factors = 16, Optimizer = optimizer, BatchSize = batch, LearningRate = lr, InitStd = 0.1f, Regularization = 0.001f }, train);
        double first = model.TrainEpoch().Loss;
        double last = first;
        for (int e = 0; e < 30; e++) last = model.TrainEpoch().Loss;
        Assert.True(last < 0.8 * first, $"{optimizer}: loss {first} -> {last}");
    }

    [Fact]
    public void SaveThenLoadGivesTheSameScores()
    {
        var train = TinyData.Random(users: 10, items: 20, perUser: 5, seed: 2);
        var model = new BprMf(new BprMfOptions { Factors = 8, ItemBias = true }, train);
        model.TrainEpoch();
        using var dir = new TempDirectory();
        string path = dir.File("m.bin");
        model.Save(path);
        var loaded = BprMf.Load(path, train);
        var a = new float[train.NumItems];
        var b = new float[train.NumItems];
        model.Score([3], a);
        loaded.Score([3], b);
        Assert.Equal(a, b);
        Assert.Equal(model.Options, loaded.Options);
        Assert.Single(Directory.GetFiles(dir.FullPath));

        var other = TinyData.Random(users: 11, items: 20, perUser: 5, seed: 2);
        var e = Assert.Throws<DataFormatException>(() => BprMf.Load(path, other));
        Assert.Contains("10 users", e.Message);
        Assert.Contains("11 users", e.Message);

        File.WriteAllBytes(path, File.ReadAllBytes(path)[..100]);
        Assert.Contains("truncated", Assert.Throws<DataFormatException>(() => BprMf.Load(path)).Message);
        File.WriteAllText(path, "hello");
        Assert.Contains("magic", Assert.Throws<DataFormatException>(() => BprMf.Load(path)).Message);
    }

    [Fact]
    public void InvalidOptionsNameTheOption()
    {
        var train = TinyData.Random(users: 5, items: 10, perUser: 2, seed: 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BprMf(new BprMfOptions { Factors = 0 }, train));
        Assert.Equal("Factors", e.ParamName);
    }
}
