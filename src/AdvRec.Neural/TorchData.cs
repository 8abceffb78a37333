using AdvRec.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace AdvRec.Neural;

/// <summary>Moves interaction data onto a device as the tensors the neural models consume.</summary>
public static class TorchData
{
    /// <summary>
    /// The [users, items] matrix of <paramref name="data"/> as a dense float tensor on <paramref name="device"/>: the
    /// ratings where <paramref name="ratings"/> is set (the data must have them), else 1 for every interaction.
    /// </summary>
    public static Tensor Dense(Interactions data, torch.Device device, bool ratings)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (ratings && !data.HasRatings) throw new ArgumentException("the data has no ratings", nameof(data));
        using var scope = torch.NewDisposeScope();
        var (indices, values) = Coordinates(data, ratings);
        var sparse = torch.sparse_coo_tensor(indices, values, [data.NumUsers, data.NumItems]);
        return sparse.to(device).to_dense().MoveToOuterDisposeScope();
    }

    /// <summary>The [2, nnz] int64 (row, column) indices and the float values of <paramref name="data"/> on the CPU.</summary>
    public static (Tensor Indices, Tensor Values) Coordinates(Interactions data, bool ratings)
    {
        ArgumentNullException.ThrowIfNull(data);
        int nnz = data.Count;
        var index = new long[2 * nnz];
        var values = new float[nnz];
        var rowPointers = data.RowPointers;
        var items = data.ItemIndices;
        for (int u = 0; u < data.NumUsers; u++)
        {
            var r = ratings ? data.RatingsOf(u) : default;
            for (int k = rowPointers[u]; k < rowPointers[u + 1]; k++)
            {
                index[k] = u;
                index[nnz + k] = items[k];
                values[k] = ratings ? r[k - rowPointers[u]] : 1f;
            }
        }
        return (torch.tensor(index, [2, nnz]), torch.tensor(values));
    }
}
