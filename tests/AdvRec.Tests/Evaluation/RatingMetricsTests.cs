using AdvRec.Data;
using AdvRec.Evaluation;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Tests.Experiments.Config;

namespace AdvRec.Tests.Evaluation;

public class RatingMetricsTests
{
    // train: u0 rated item 0 with 5, u1 rated item 1 with 1 (scale 1..5)
    private static readonly Interactions Train = Interactions.Build(2, 3, [0, 1], [0, 1], [5f, 1f]);

    // test: u0 rated item 1 with 3 and item 2 with 5; u1 rated item 0 with 4
    private static readonly Interactions Test = Interactions.Build(2, 3, [0, 0, 1], [1, 2, 0], [3f, 5f, 4f]);

    // predictions: u0 item 1 → 2.5 (error −0.5), item 2 → 6 (clipped to 5: error 0); u1 item 0 → 3 (error −1)
    private static readonly float[,] Scores = { { 0f, 2.5f, 6f }, { 3f, 0f, 0f } };

    private static readonly EvaluationOptions ErrorsOnly = new() { Metrics = [RankingMetric.Rmse, RankingMetric.Mae], Cutoffs = [1] };

    [Fact]
    public void ErrorsArePooledOverRatingsAndClippedToTheScale()
    {
        var result = RankingEvaluator.Evaluate(new FixedPredictor(Scores, 1, 5), Train, Test, ErrorsOnly);
        Assert.Equal(Math.Sqrt(1.25 / 3), result.Mean(RankingMetric.Rmse), 12);   // sqrt((0.25 + 0 + 1) / 3) = 0.6455
        Assert.Equal(0.5, result.Mean(RankingMetric.Mae), 12);                    // (0.5 + 0 + 1) / 3
        Assert.Equal(new[] { 0, 1 }, result.Users);
        var perUserRmse = result.PerUser(RankingMetric.Rmse);
        Assert.Equal(Math.Sqrt(0.125), perUserRmse[0], 12);                       // u0: sqrt(0.25 / 2)
        Assert.Equal(1.0, perUserRmse[1], 12);
        Assert.Equal(new[] { 0.25, 1.0 }, result.PerUser(RankingMetric.Mae));
    }

    [Fact]
    public void APlainRecommenderIsClippedToTheTrainingRange()
    {
        // not an IRatingPredictor (as a perturbed view): its scores are read as ratings clipped to 1..5 from training
        var result = RankingEvaluator.Evaluate(new MatrixRecommender(Scores), Train, Test, ErrorsOnly);
        Assert.Equal(Math.Sqrt(1.25 / 3), result.Mean(RankingMetric.Rmse), 12);
        var narrow = RankingEvaluator.Evaluate(new FixedPredictor(Scores, 3, 4), Train, Test, ErrorsOnly);
        // clipped to 3..4: u0 item 1 → 3 (0), item 2 → 4 (−1); u1 item 0 → 3 (−1)
        Assert.Equal(Math.Sqrt(2.0 / 3), narrow.Mean(RankingMetric.Rmse), 12);
        Assert.Equal(2.0 / 3, narrow.Mean(RankingMetric.Mae), 12);
    }

    [Fact]
    public void ErrorAndRankingMetricsComeTogether()
    {
        var options = new EvaluationOptions { Metrics = [RankingMetric.HitRate, RankingMetric.Rmse], Cutoffs = [1] };
        var result = RankingEvaluator.Evaluate(new FixedPredictor(Scores, 1, 5), Train, Test, options);
        Assert.Equal(["HR@1", "RMSE"], result.Keys.Select(k => k.ToString()));
        // with a ranking metric the ranking rules pick the users: u0 has no non-relevant candidate left, so only u1 counts
        Assert.Equal(1, result.UsersSkippedNoCandidates);
        Assert.Equal(1.0, result.Mean(RankingMetric.Rmse), 12);
        Assert.Equal(1.0, result.Mean(RankingMetric.HitRate, 1)); // u1 ranks item 0 (3) above item 2 (0)
    }

    [Fact]
    public void TestDataWithoutRatingsIsRefused()
    {
        var implicitTest = Interactions.Build(2, 3, [0, 1], [1, 0]);
        var e = Assert.Throws<ArgumentException>(() => new RankingEvaluator(Train, implicitTest, ErrorsOnly));
        Assert.Contains("no ratings", e.Message);
    }

    [Fact]
    public void ErrorMetricsAreLowerIsBetterAndParse()
    {
        Assert.False(RankingMetric.Rmse.HigherIsBetter());
        Assert.False(RankingMetric.Mae.HigherIsBetter());
        Assert.True(RankingMetric.Ndcg.HigherIsBetter());
        Assert.False(RankingMetric.Rmse.HasCutoff());
        Assert.True(RankingMetricExtensions.TryParse("rmse", out var m) && m == RankingMetric.Rmse);
        Assert.True(RankingMetricExtensions.TryParse("MAE", out m) && m == RankingMetric.Mae);
        Assert.Equal("RMSE", new MetricKey(RankingMetric.Rmse, 0).ToString());
        Assert.DoesNotContain(RankingMetric.Rmse, RankingMetrics.All);
    }

    [Fact]
    public void AStudyCanSelectOnRmse()
    {
        using var dir = new TempDirectory();
        var study = ConfigTestSupport.Load(dir, ConfigTestSupport.Minimal(dir, models: "    UserItemBias:\n      meta:\n        validation_metric: RMSE\n",
            extra: "  evaluation:\n    simple_metrics: [RMSE, MAE]\n"), schemas: ModelRegistry.Schemas);
        Assert.Equal([RankingMetric.Rmse, RankingMetric.Mae], study.Evaluation.SimpleMetrics);
        Assert.Equal(new MetricKey(RankingMetric.Rmse, 0), study.Models[0].Meta.ValidationMetric);
    }

    [Fact]
    public void AStudyRefusesRmseForARankingModel()
    {
        using var dir = new TempDirectory();
        string yaml = ConfigTestSupport.Minimal(dir, extra: "  evaluation:\n    simple_metrics: [RMSE]\n");
        dir.Write("train.tsv", "u1\ti1\t4\nu2\ti2\t2\n");
        dir.Write("test.tsv", "u1\ti2\t3\n");
        var study = ConfigTestSupport.Load(dir, yaml, schemas: ModelRegistry.Schemas);
        var e = Assert.Throws<ArgumentException>(() => StudyRunner.Run(study, new StudyRunOptions(dir.FullPath)));
        Assert.True(e.Message.Contains("BPR-MF does not predict ratings", StringComparison.Ordinal), e.Message);
    }

    private sealed class FixedPredictor(float[,] scores, float min, float max) : IRatingPredictor
    {
        private readonly MatrixRecommender _matrix = new(scores);

        public int NumUsers => _matrix.NumUsers;

        public int NumItems => _matrix.NumItems;

        public float MinRating => min;

        public float MaxRating => max;

        public void Score(ReadOnlySpan<int> users, Span<float> output) => _matrix.Score(users, output);

        public void PredictRatings(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> ratings) =>
            RatingPrediction.FromScores(this, min, max, users, items, ratings);
    }
}
