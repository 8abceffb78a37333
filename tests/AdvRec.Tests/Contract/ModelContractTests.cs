using AdvRec.Data;
using AdvRec.Data.Features;
using AdvRec.Experiments;
using AdvRec.Models;
using AdvRec.Neural;
using AdvRec.Tests.Neural;
using TorchSharp;

namespace AdvRec.Tests.Contract;

/// <summary>
/// One contract over every registered model (<see cref="NeuralRegistry.All"/>: the managed and the neural ones), each
/// built from the tiny options its <see cref="ModelDefinition.Contract"/> declares beside it: a model registered
/// without them fails here. Checks: same seed gives the same scores; scoring users in a batch equals scoring each alone;
/// a saved model loads back (<see cref="ModelDefinition.Load"/>) and scores identically; the attack gradient of each
/// perturbation target matches finite differences; the checkerboard is learned (held-out items of the user's parity
/// rank above the other parity's); neural models keep the number of live tensors from growing over epochs.
/// </summary>
[Collection(TorchCollection.Name)]
public class ModelContractTests
{
    private const int Users = 20;
    private const int Items = 24;

    /// <summary>Every registered model's name.</summary>
    public static TheoryData<string> Models => new(NeuralRegistry.All.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Models))]
    public void KeepsTheContract(string name)
    {
        var definition = NeuralRegistry.All[name];
        Assert.True(definition.Contract is not null,
            $"{name} has no contract entry: declare tiny options beside it (Contract = new(new ...Options {{ ... }})) in ModelRegistry.cs or NeuralRegistry.cs");
        Assert.True(definition.Load is not null, $"{name} cannot be read back: give its ModelDefinition a Load");
        var contract = definition.Contract;
        var data = Fixture(contract.Data, definition.NeedsItemFeatures);
        var context = new ModelContext(contract.Epochs, data.Train, data, Device: "cpu");

        var model = definition.Create(contract.Options, context);
        var twin = definition.Create(contract.Options, context);
        try
        {
            bool neural = model is NeuralModel;
            model.TrainEpoch(null, default);
            long live = neural ? torch.Tensor.TotalCount : 0;
            for (int e = 1; e < contract.Epochs; e++) model.TrainEpoch(null, default);
            if (neural)
                Assert.True(torch.Tensor.TotalCount <= live, $"{name}: live tensors grew from {live} to {torch.Tensor.TotalCount} over {contract.Epochs - 1} epochs");
            for (int e = 0; e < contract.Epochs; e++) twin.TrainEpoch(null, default);

            var users = Enumerable.Range(0, model.NumUsers).ToArray();
            var scores = NeuralContract.Scores(model, users);
            Assert.All(scores, s => Assert.True(float.IsFinite(s), $"{name}: a score is not finite"));
            AssertSame(scores, NeuralContract.Scores(twin, users), $"{name}: two models of the same seed and options score differently");

            // equal up to float rounding: a matrix product may sum in another order for one row than for many
            for (int u = 0; u < users.Length; u++)
                AssertClose(scores.AsSpan(u * model.NumItems, model.NumItems).ToArray(), NeuralContract.Scores(model, [u]), $"{name}: user {u} scored alone differs from its row in a batch");

            using (var dir = new TempDirectory())
            {
                string path = Path.Combine(dir.FullPath, $"{name}.bin");
                definition.Save(model, path);
                var loaded = definition.Load(path, context);
                try
                {
                    AssertSame(scores, NeuralContract.Scores(loaded, users), $"{name}: the model loaded from {path} scores differently from the one saved");
                }
                finally
                {
                    loaded.Dispose();
                }
            }

            var sample = model.DrawAttackSample(1);
            for (int t = 0; t < model.PerturbationTargets.Count; t++)
                GradientCheck.AlongGradient(model, sample, t, tolerance: contract.GradientTolerance);

            if (contract.NotPersonalized is null)
            {
                double auc = ParityAuc(model, data);
                Assert.True(auc > 0.75, $"{name}: after {contract.Epochs} epochs the user's unseen items of its own parity outrank the other parity's with AUC {auc:F3} (want > 0.75)");
            }
        }
        finally
        {
            model.Dispose();
            twin.Dispose();
        }
    }

    [Fact]
    public void EveryRegisteredModelDeclaresItsContract()
    {
        var missing = NeuralRegistry.All.Values.Where(d => d.Contract is null || d.Load is null).Select(d => d.Name).ToList();
        Assert.True(missing.Count == 0, $"models without a contract entry or a Load: {string.Join(", ", missing)}");
    }

    private static void AssertSame(float[] expected, float[] actual, string message)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            if (expected[k] != actual[k])
                Assert.Fail($"{message}: at {k / Items}, {k % Items}: {expected[k]} then {actual[k]}");
        }
    }

    private static void AssertClose(float[] expected, float[] actual, string message)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            if (Math.Abs(expected[k] - actual[k]) > 1e-5f * Math.Max(1f, Math.Abs(expected[k])))
                Assert.Fail($"{message}: item {k}: {expected[k]} then {actual[k]}");
        }
    }

    // Over users, the mean AUC of the user's unseen items of its parity against its unseen items of the other parity.
    private static double ParityAuc(IRecommender model, Dataset data)
    {
        var scores = new float[data.NumItems];
        double total = 0;
        for (int u = 0; u < data.NumUsers; u++)
        {
            model.Score([u], scores);
            var unseen = Enumerable.Range(0, data.NumItems).Where(i => !data.Train.Contains(u, i)).ToList();
            var own = unseen.Where(i => i % 2 == u % 2).Select(i => scores[i]).ToList();
            var other = unseen.Where(i => i % 2 != u % 2).Select(i => scores[i]).ToList();
            double wins = 0;
            foreach (float a in own)
                foreach (float b in other) wins += a > b ? 1 : a == b ? 0.5 : 0;
            total += wins / (own.Count * other.Count);
        }
        return total / data.NumUsers;
    }

    // The checkerboard (implicit), or its explicit-rating form: each user rates items of its parity 4 or 5 stars and a
    // quarter of the other parity's 1 star; item features, where asked, carry the parity plus a little noise.
    private static Dataset Fixture(ContractData kind, bool features)
    {
        var data = kind switch
        {
            ContractData.Ratings => RatedCheckerboard(),
            ContractData.Sequences => TimedCheckerboard(),
            _ => SyntheticDataset.Checkerboard(Users, Items),
        };
        if (!features) return data;
        const int d = 4;
        var values = new float[Items * d];
        for (int i = 0; i < Items; i++)
        {
            values[i * d] = i % 2;
            values[i * d + 1] = 1 - i % 2;
            values[i * d + 2] = (i % 5) / 10f;
            values[i * d + 3] = 0.5f;
        }
        return data.WithItemFeatures(ItemFeatures.FromAligned("contract parity features", values, Items, d));
    }

    // The checkerboard with timestamps: each user meets its items in increasing item order.
    private static Dataset TimedCheckerboard()
    {
        var plain = SyntheticDataset.Checkerboard(Users, Items);
        var us = plain.Train.UserIndices();
        var its = plain.Train.ItemIndices.ToArray();
        var times = its.Select(i => 1000L * i).ToArray();
        var train = Interactions.Build(Users, Items, us, its, default, times);
        return new Dataset(plain.Name + " with timestamps", plain.Description + "; timestamps follow the item order", true,
            IdMap.Sequential(Users), IdMap.Sequential(Items), train, plain.Test, null, SplitReport.Sizes(train, plain.Test));
    }

    private static Dataset RatedCheckerboard()
    {
        var us = new List<int>();
        var its = new List<int>();
        var rs = new List<float>();
        var testUsers = new List<int>();
        var testItems = new List<int>();
        var testRatings = new List<float>();
        for (int u = 0; u < Users; u++)
        {
            int parity = u % 2, shift = u / 2;
            bool held = false;
            for (int j = 0; j < Items / 2; j++)
            {
                int item = 2 * j + parity, otherItem = 2 * j + 1 - parity;
                if ((j + shift) % 3 != 0) { us.Add(u); its.Add(item); rs.Add((j + u) % 2 == 0 ? 5 : 4); }
                else if (!held) { held = true; testUsers.Add(u); testItems.Add(item); testRatings.Add(5); }
                if ((j + shift) % 4 == 0) { us.Add(u); its.Add(otherItem); rs.Add(1); }
            }
        }
        var train = Interactions.Build(Users, Items, [.. us], [.. its], [.. rs]);
        var test = Interactions.Build(Users, Items, [.. testUsers], [.. testItems], [.. testRatings]);
        return new Dataset($"rated checkerboard ({Users} users, {Items} items)", "contract fixture: explicit ratings, high on the user's parity, low on a few of the other's",
            true, IdMap.Sequential(Users), IdMap.Sequential(Items), train, test, null, SplitReport.Sizes(train, test));
    }
}
