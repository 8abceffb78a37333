using AdvRec.Data;
using AdvRec.Experiments;

namespace AdvRec.Tests.Experiments;

public class HandsOnExperimentTests
{
    [Fact]
    public void OnTheSyntheticDefaultFgsmHurtsFarMoreThanRandomNoise()
    {
        var data = SyntheticDataset.Generate(42);
        var result = HandsOnExperiment.Run(data, new HandsOnOptions { Epochs = 5, AdversarialEpochs = 1, Seed = 42 });
        var byName = result.Rows.ToDictionary(r => (r.Model, r.Attack));
        double fgsmDrop = -byName[("BPR-MF", "FGSM")].Change(r => r.HitRate)!.Value;
        double randomDrop = -byName[("BPR-MF", "random")].Change(r => r.HitRate)!.Value;
        Assert.True(fgsmDrop > 0.05, $"FGSM drop {fgsmDrop:P1}");
        Assert.True(fgsmDrop > 3 * Math.Abs(randomDrop), $"FGSM drop {fgsmDrop:P1}, random {randomDrop:P1}");
        // the planted signal is learned: far above what chance gives (K / catalogue = 100/1500)
        Assert.True(byName[("BPR-MF", "none")].HitRate > 0.3);
    }

    [Fact]
    public void WithoutAprEpochsThereAreNoAprRows()
    {
        var data = SyntheticDataset.Generate(3, new SyntheticOptions { Users = 200, Items = 150 });
        var result = HandsOnExperiment.Run(data, new HandsOnOptions { Epochs = 1, AdversarialEpochs = 0, Cutoff = 10 });
        Assert.Equal(["BPR-MF/none", "BPR-MF/FGSM", "BPR-MF/random"], result.Rows.Select(r => $"{r.Model}/{r.Attack}"));
    }

    [Fact]
    public void TheSameSeedGivesTheSameTable()
    {
        var data = SyntheticDataset.Generate(7, new SyntheticOptions { Users = 300, Items = 200 });
        var options = new HandsOnOptions { Epochs = 2, Seed = 7, Cutoff = 20 };
        var a = HandsOnExperiment.Run(data, options);
        var b = HandsOnExperiment.Run(data, options);
        Assert.Equal(a.Rows.Select(r => (r.HitRate, r.Ndcg, r.Auc)), b.Rows.Select(r => (r.HitRate, r.Ndcg, r.Auc)));
    }

    /// <summary>
    /// PROTOCOLS §1 on the hands-on split, judged by the mean of three seeds as the issue asks: BPR-MF HR@100 in
    /// [0.24, 0.31] and AUC in [0.81, 0.84]; the FGSM drop of HR@100 at least 8 % and at least twice the random
    /// drop; after APR, AUC above BPR-MF's clean and under FGSM.
    /// </summary>
    [RealDataFact("movielens-500/trainingset.tsv", "movielens-500/testset.tsv")]
    public void OnMovieLens500TheNotebookNumbersAreReproduced()
    {
        var data = DatasetLoader.LoadFixed(SharedData.Path("movielens-500", "trainingset.tsv"), SharedData.Path("movielens-500", "testset.tsv"));
        var runs = new[] { 1UL, 2UL, 3UL }.Select(seed => HandsOnExperiment.Run(data, new HandsOnOptions { Seed = seed })).ToList();
        double Mean(string model, string attack, Func<HandsOnRow, double> metric) =>
            runs.Average(run => metric(run.Rows.Single(r => r.Model == model && r.Attack == attack)));

        double hr = Mean("BPR-MF", "none", r => r.HitRate);
        double auc = Mean("BPR-MF", "none", r => r.Auc);
        Assert.InRange(hr, 0.24, 0.31);
        Assert.InRange(auc, 0.81, 0.84);
        double fgsmDrop = (hr - Mean("BPR-MF", "FGSM", r => r.HitRate)) / hr;
        double randomDrop = (hr - Mean("BPR-MF", "random", r => r.HitRate)) / hr;
        Assert.True(fgsmDrop >= 0.08, $"FGSM drop {fgsmDrop:P1}");
        Assert.True(fgsmDrop >= 2 * randomDrop, $"FGSM drop {fgsmDrop:P1}, random drop {randomDrop:P1}");
        Assert.True(Mean("APR", "none", r => r.Auc) > auc);
        Assert.True(Mean("APR", "FGSM", r => r.Auc) > Mean("BPR-MF", "FGSM", r => r.Auc));
    }
}
