using AdvRec.Data;
using AdvRec.Kernels;
using AdvRec.Neural.Sequential;
using AdvRec.Tests.Models;

namespace AdvRec.Tests.Neural.Sequential;

[Collection(TorchCollection.Name)]
public class SvaeTests
{
    private static readonly SvaeOptions Small = new()
    {
        EmbeddingSize = 8,
        GruSize = 8,
        HiddenSize = 8,
        LatentSize = 4,
        NextK = 2,
        BatchSize = 8,
        LearningRate = 0.02,
        WeightDecay = 0,
        Device = "cpu",
    };

    // Users walk through the catalogue in order (item i is followed by i+1, i+2, ...), with random timestamps per user.
    private static Interactions Sequences(int users, int items, int length, ulong seed)
    {
        var rng = new Xoshiro(seed);
        var us = new List<int>();
        var its = new List<int>();
        var ts = new List<long>();
        for (int u = 0; u < users; u++)
        {
            int start = rng.NextInt(items);
            for (int s = 0; s < length; s++) { us.Add(u); its.Add((start + s) % items); ts.Add(1000 * s + rng.NextInt(10)); }
        }
        return Interactions.Build(users, items, us.ToArray(), its.ToArray(), default, ts.ToArray());
    }

    [Fact]
    public void KeepsTheNeuralContract() =>
        NeuralContract.Check(() => new Svae(Small, Sequences(24, 15, 6, 3)));

    [Fact]
    public void RefusesDataWithoutTimestampsNamingIt()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new Svae(Small, TinyData.Random(10, 8, 3, 1), null, "tiny-implicit"));
        Assert.Contains("tiny-implicit", e.Message);
        Assert.Contains("timestamps", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => (Small with { NextK = 0 }).Validate());
    }

    [Fact]
    public void KlWeightGrowsOneOverTotalStepsPerBatchUpToTheCap()
    {
        // the notebook's (and Liang's) rule: beta = min(cap, batches / total_anneal_steps)
        var data = Sequences(24, 15, 6, 3);
        using var model = new Svae(Small with { TotalAnnealSteps = 10, AnnealCap = 0.2 }, data);
        Assert.Equal(0, model.Beta);
        model.TrainEpoch(null, default); // 3 batches of 8 users
        Assert.Equal(0.2, model.Beta, 6); // 3/10 is above the cap
        using var slow = new Svae(Small with { TotalAnnealSteps = 100, AnnealCap = 0.2 }, data);
        slow.TrainEpoch(null, default);
        Assert.Equal(0.03, slow.Beta, 6); // not 0.2 × 3/100
    }

    [Fact]
    public void ObjectiveIsAMeanPerUserAndPerStepAsInTheAuthorsLoss()
    {
        using var model = new Svae(Small with { NextK = 3 }, Sequences(8, 15, 6, 3));
        double one = model.ObjectiveOf([2], 0.5);
        Assert.Equal(one, model.ObjectiveOf([2, 2], 0.5), 4); // the same user twice: the mean over users does not change
        Assert.Equal(one, model.ObjectiveOf([2, 2, 2, 2], 0.5), 4);
        // without the KL term: 5 steps with 3 + 3 + 3 + 2 + 1 targets, each about log 15 for a fresh model, divided by k = 3
        double nll = model.ObjectiveOf([2], 0);
        Assert.InRange(nll, 0.8 * 4 * Math.Log(15), 1.2 * 4 * Math.Log(15));
    }

    [Fact]
    public void FitsOnlyOnTheFitUsersAndScoresTheOthersFromTheirHistory()
    {
        var data = Sequences(20, 15, 6, 3);
        using var model = new Svae(Small, data, fitUsers: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        Assert.Equal(10, model.FitUsers.Count);
        Assert.Equal(10, model.TrainEpoch(null, default).Steps); // one step per user trained on
        Assert.Equal(10, ((AdvRec.Neural.RowSample)model.DrawAttackSample(1)).Rows.Length);
        Assert.All(NeuralContract.Scores(model, [15]), s => Assert.True(float.IsFinite(s)));
        using var all = new Svae(Small, data);
        Assert.Equal(20, all.FitUsers.Count);
    }

    [Fact]
    public void ScoresDoNotDependOnTheOtherUsersOfTheBatch()
    {
        // user 0 has a short history, user 1 a long one: scored together, user 0's row is padded
        var us = new List<int>();
        var its = new List<int>();
        var ts = new List<long>();
        for (int s = 0; s < 3; s++) { us.Add(0); its.Add(s); ts.Add(s); }
        for (int s = 0; s < 9; s++) { us.Add(1); its.Add(9 - s); ts.Add(s); }
        var data = Interactions.Build(2, 12, us.ToArray(), its.ToArray(), default, ts.ToArray());
        using var model = new Svae(Small, data);
        model.TrainEpoch(null, default);
        var together = NeuralContract.Scores(model, [0, 1]);
        var alone0 = NeuralContract.Scores(model, [0]);
        var alone1 = NeuralContract.Scores(model, [1]);
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(alone0[i], together[i], 5);
            Assert.Equal(alone1[i], together[12 + i], 5);
        }
    }

    [Fact]
    public void LearnsTheNextItemOfASequence()
    {
        var data = Sequences(40, 12, 6, 5);
        using var model = new Svae(Small with { LearningRate = 0.03 }, data);
        for (int e = 0; e < 25; e++) model.TrainEpoch(null, default);
        var scores = NeuralContract.Scores(model, Enumerable.Range(0, 40).ToArray());
        int hits = 0;
        for (int u = 0; u < 40; u++)
        {
            int lastItem = data.ItemsOf(u).ToArray()[Array.IndexOf(data.TimestampsOf(u).ToArray(), data.TimestampsOf(u).ToArray().Max())];
            int next = (lastItem + 1) % 12;
            var row = scores.AsSpan(u * 12, 12).ToArray();
            var unseen = Enumerable.Range(0, 12).Where(i => !data.Contains(u, i)).OrderByDescending(i => row[i]).ToList();
            if (unseen.Take(2).Contains(next)) hits++;
        }
        Assert.True(hits >= 20, $"the next item was in the top 2 of only {hits} of 40 users");
    }
}
