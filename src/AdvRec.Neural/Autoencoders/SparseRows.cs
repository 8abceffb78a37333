using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AdvRec.Neural.Autoencoders;

/// <summary>
/// The first layer of an autoencoder over 0/1 item rows, on the nonzero entries only: for a batch of rows x (0/1,
/// B × I) with a per-row scale s, <c>dropout(s · x) W + b</c> as a summing embedding bag over each row's items with
/// per-item weights (W is the bag's I × H table). It equals the dense product, with dropout applied to the same
/// entries, at the cost of the nonzeros instead of B·I·H, and its gradient reaches W the same way (on a 2-core CPU
/// about 7× faster than the dense product for ML-1M rows, forward and backward). Everything stays on x's device.
/// </summary>
internal static class SparseRows
{
    /// <summary>The product; <paramref name="dropout"/> &gt; 0 drops entries (kept ones scaled by 1/(1 − p)); a null <paramref name="rowScale"/> means 1.</summary>
    public static Tensor Project(Tensor x, Tensor? rowScale, double dropout, EmbeddingBag layer, Tensor bias)
    {
        var nonzero = x.nonzero();
        var rows = nonzero.select(1, 0);
        var columns = nonzero.select(1, 1);
        var counts = x.count_nonzero([1]);
        var offsets = counts.cumsum(0) - counts;
        var values = rowScale is null ? torch.ones(rows.shape[0], dtype: x.dtype, device: x.device) : rowScale.index_select(0, rows);
        if (dropout > 0) values = F.dropout(values, dropout, true);
        return layer.forward(columns, offsets, values) + bias;
    }

    /// <summary>A summing embedding bag of <paramref name="items"/> rows of width <paramref name="width"/> (the layer's weight, items × width).</summary>
    public static EmbeddingBag Layer(int items, int width) => nn.EmbeddingBag(items, width, mode: EmbeddingBagMode.Sum);
}
