using AdvRec.Adversarial;
using AdvRec.Models;
using AdvRec.Neural;
using TorchSharp;

namespace AdvRec.Tests.Neural;

/// <summary>
/// Checks every neural model must pass, for its own tests to call: scores of the right shape and finite, training
/// that lowers the loss without growing the number of live tensors, snapshots that restore scores exactly, a loss
/// gradient that matches finite differences along its own direction for each target, and an FGSM attack on each
/// target that raises the loss more than random noise of the same per-row norms.
/// </summary>
internal static class NeuralContract
{
    /// <summary>Runs every check on a fresh model from <paramref name="create"/>.</summary>
    public static void Check(Func<NeuralModel> create, int epochs = 3, float epsilon = 0.5f, bool lossMustFall = true)
    {
        using var model = create();
        var users = Enumerable.Range(0, model.NumUsers).ToArray();
        var before = Scores(model, users);
        Assert.All(before, s => Assert.True(float.IsFinite(s)));

        var first = model.TrainEpoch(null, default);
        long live = torch.Tensor.TotalCount;
        EpochStats last = first;
        for (int e = 1; e < epochs; e++) last = model.TrainEpoch(null, default);
        Assert.True(torch.Tensor.TotalCount <= live, $"live tensors grew from {live} to {torch.Tensor.TotalCount} over {epochs - 1} epochs");
        Assert.True(double.IsFinite(last.Loss));
        if (lossMustFall) Assert.True(last.Loss < first.Loss, $"the training loss did not fall: {first.Loss} then {last.Loss}");
        Assert.Equal(epochs, model.EpochsTrained);

        var trained = Scores(model, users);
        var snapshot = model.TakeSnapshot();
        model.TrainEpoch(null, default);
        model.RestoreSnapshot(snapshot);
        Assert.Equal(trained, Scores(model, users));

        long liveBeforeAttacks = torch.Tensor.TotalCount;
        var sample = model.DrawAttackSample(1);
        for (int t = 0; t < model.PerturbationTargets.Count; t++)
        {
            string name = model.PerturbationTargets[t].Name;
            CheckGradient(model, sample, t);
            var fgsm = Fgsm.Attack(model, sample, epsilon, [name]);
            var random = RandomNoise.Like(fgsm, 3);
            var gradient = new Perturbation(model.PerturbationTargets);
            double clean = model.LossGradient(sample, null, gradient);
            double attacked = model.LossGradient(sample, fgsm, gradient);
            double noisy = model.LossGradient(sample, random, gradient);
            Assert.True(attacked - clean > noisy - clean && attacked > clean,
                $"{name}: FGSM raised the loss from {clean} to {attacked}, random noise of the same norms to {noisy}");
            using var view = model.WithPerturbation(fgsm);
            var perturbed = new float[users.Length * model.NumItems];
            view.Score(users, perturbed);
            Assert.NotEqual(trained, perturbed);
        }
        Assert.True(torch.Tensor.TotalCount <= liveBeforeAttacks + 8, $"attacks left {torch.Tensor.TotalCount - liveBeforeAttacks} live tensors behind");
    }

    /// <summary>The loss's slope along its own gradient direction equals the gradient's norm (see <see cref="Contract.GradientCheck"/>).</summary>
    public static void CheckGradient(NeuralModel model, AdvRec.Models.ILossSample sample, int target, double h = 1e-2, double tolerance = 0.05) =>
        Contract.GradientCheck.AlongGradient(model, sample, target, h, tolerance);

    /// <summary>Scores of <paramref name="users"/> for all items.</summary>
    public static float[] Scores(IRecommender model, int[] users)
    {
        var scores = new float[users.Length * model.NumItems];
        model.Score(users, scores);
        return scores;
    }
}
