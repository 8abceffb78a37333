using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AdvRec.Neural.Autoencoders;

/// <summary>
/// The first layer of an autoencoder over sparse item rows, on the nonzero entries only: for a batch of rows x
/// (B × I: 0/1 rows, scaled, dropped out), <c>x W + b</c> as a summing embedding bag over each row's nonzero items with
/// their values as per-item weights (W is the bag's I × H table). It equals the dense product at the cost of the
/// nonzeros instead of B·I·H, and its gradient reaches W the same way (on a 2-core CPU
/// about 7× faster than the dense product for ML-1M rows, forward and backward). Everything stays on x's device.
/// </summary>
internal static class SparseRows
{
    /// <summary>The product <c>x W + b</c> over the nonzero entries of <paramref name="x"/> (any values: scaled, dropped out).</summary>
    public static Tensor Project(Tensor x, EmbeddingBag layer, Tensor bias)
    {
        var nonzero = x.nonzero();
        var rows = nonzero.select(1, 0);
        var columns = nonzero.select(1, 1);
        var counts = x.count_nonzero([1]);
        var offsets = counts.cumsum(0) - counts;
        var values = x.contiguous().view(-1).index_select(0, rows * x.shape[1] + columns);
        return layer.forward(columns, offsets, values) + bias;
    }

    /// <summary>A summing embedding bag of <paramref name="items"/> rows of width <paramref name="width"/> (the layer's weight, items × width).</summary>
    public static EmbeddingBag Layer(int items, int width) => nn.EmbeddingBag(items, width, mode: EmbeddingBagMode.Sum);
}
