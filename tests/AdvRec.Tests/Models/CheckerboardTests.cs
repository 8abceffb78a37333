using AdvRec.Data;
using AdvRec.Models.Factorization;

namespace AdvRec.Tests.Models;

public class CheckerboardTests
{
    [Theory]
    [InlineData(OptimizerKind.Adagrad, 16, 0.05f)]
    [InlineData(OptimizerKind.Sgd, 1, 0.05f)]
    [InlineData(OptimizerKind.Adam, 16, 0.01f)]
    public void BprMfLearnsThePlantedParitySignal(OptimizerKind optimizer, int batch, float lr)
    {
        var data = SyntheticDataset.Checkerboard(40, 60);
        var model = new BprMf(new BprMfOptions { Factors = 8, Optimizer = optimizer, BatchSize = batch, LearningRate = lr, InitStd = 0.1f, Threads = 1 }, data.Train);
        for (int e = 0; e < 60; e++) model.TrainEpoch();
        var scores = new float[data.NumItems];
        for (int u = 0; u < data.NumUsers; u++)
        {
            model.Score([u], scores);
            // the best item the user has not seen yet has the user's parity
            int best = -1;
            for (int i = 0; i < data.NumItems; i++)
                if (!data.Train.Contains(u, i) && (best < 0 || scores[i] > scores[best])) best = i;
            int userParity = int.Parse(data.Users[u]) % 2, itemParity = int.Parse(data.Items[best]) % 2;
            Assert.True(userParity == itemParity, $"{optimizer}: user {data.Users[u]} gets item {data.Items[best]} first");
        }
    }
}
