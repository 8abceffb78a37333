using AdvRec.Adversarial;
using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Models.Factorization;

namespace AdvRec.Tests.Adversarial;

public class RobustnessTests
{
    private static (BprMf Model, Dataset Data) Trained()
    {
        var data = SyntheticDataset.Generate(11, new SyntheticOptions { Users = 500, Items = 400 });
        var model = new BprMf(new BprMfOptions { Factors = 32 }, data.Train);
        for (int e = 0; e < 15; e++) model.TrainEpoch();
        return (model, data);
    }

    [Fact]
    public void TheAttackHurtsMoreAsEpsGrowsAndFarMoreThanRandomNoise()
    {
        var (model, data) = Trained();
        var evaluator = new RankingEvaluator(data.Train, data.Test, new EvaluationOptions { Cutoffs = [20], Metrics = [RankingMetric.Ndcg, RankingMetric.HitRate] });
        var curve = RobustnessSweep.Run(model, evaluator, [0.25f, 0.5f, 1f], new AttackOptions(), seed: 3);
        var changes = curve.Changes(new MetricKey(RankingMetric.Ndcg, 20)).ToList();
        Assert.Equal([0.25f, 0.5f, 1f], changes.Select(c => c.Epsilon));
        Assert.True(changes[0].Attack > changes[1].Attack && changes[1].Attack > changes[2].Attack, string.Join(", ", changes));
        foreach (var c in changes) Assert.True(c.Attack < 2 * Math.Min(c.Random, 0) - 0.01, $"eps {c.Epsilon}: attack {c.Attack:P1}, random {c.Random:P1}");
    }

    [Fact]
    public void EvalPerturbationsWritesElliotsColumnsAndLeavesTheModelAlone()
    {
        var (model, data) = Trained();
        var before = model.UserFactors.ToArray();
        var evaluator = new RankingEvaluator(data.Train, data.Test, new EvaluationOptions { Cutoffs = [10, 50], Metrics = [RankingMetric.HitRate, RankingMetric.Ndcg, RankingMetric.Auc] });
        var columns = PerturbationEvaluation.Columns(evaluator.Metrics);
        Assert.Equal(["Epoch", "AdvEpoch", "K", "HR", "nDCG", "SSAP-HR", "SSAP-nDCG", "MSAP-HR", "MSAP-nDCG"], columns);
        var rows = PerturbationEvaluation.Rows(model, evaluator, new AttackOptions { Epsilon = 0.5f, Steps = 5 }, epoch: 15, adversarialEpoch: 0, seed: 1);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(columns.Count, r.Count));
        Assert.Equal(["15", "0", "10"], rows[0].Take(3));
        double clean = double.Parse(rows[1][4], System.Globalization.CultureInfo.InvariantCulture);
        double ssap = double.Parse(rows[1][6], System.Globalization.CultureInfo.InvariantCulture);
        double msap = double.Parse(rows[1][8], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(ssap < clean && msap < clean, $"nDCG@50 clean {clean}, SSAP {ssap}, MSAP {msap}");
        Assert.Equal(before, model.UserFactors.ToArray());
    }
}
