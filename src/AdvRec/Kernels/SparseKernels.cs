using System.Numerics;
using System.Runtime.Intrinsics;

namespace AdvRec.Kernels;

/// <summary>
/// Products of a binary sparse matrix in CSR form (row pointers, column indices ascending within each row) with itself
/// or with a dense matrix: the Gram matrix XᵀX of an interaction matrix, and the sums of dense rows that score users
/// from their items (X·W).
/// </summary>
public static unsafe class SparseKernels
{
    /// <summary>
    /// Adds the lower triangle (diagonal included) of XᵀX to the <paramref name="columns"/> × <paramref name="columns"/>
    /// matrix at <paramref name="gram"/> (row stride <paramref name="ld"/>), X the binary matrix whose row r holds ones at
    /// <c>indices[pointers[r] .. pointers[r + 1])</c>, ascending. Entry (i, j), j ≤ i, counts the rows that hold both; a
    /// row of X with d ones adds d(d + 1)/2 counts, half of what the full product takes. Rows of the result are shared
    /// out between <paramref name="threads"/> threads (0 = all cores), each written by one thread; counts are exact in
    /// float32 below 2²⁴ rows.
    /// </summary>
    public static void AddGramLower<T>(ReadOnlySpan<int> pointers, ReadOnlySpan<int> indices, int columns, T* gram, nint ld,
        int threads = 0, CancellationToken cancellationToken = default) where T : unmanaged, INumberBase<T>
    {
        int rows = pointers.Length - 1;
        // for each column i, the rows r that hold it, as the range of r's indices up to and including i
        var columnPtr = new int[columns + 1];
        foreach (int i in indices)
        {
            if ((uint)i >= (uint)columns) throw new ArgumentOutOfRangeException(nameof(indices), i, $"a column index must be in [0, {columns})");
            columnPtr[i + 1]++;
        }
        for (int i = 0; i < columns; i++) columnPtr[i + 1] += columnPtr[i];
        var next = columnPtr.AsSpan(0, columns).ToArray();
        var starts = new int[indices.Length];
        var ends = new int[indices.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int k = pointers[r]; k < pointers[r + 1]; k++)
            {
                if (k > pointers[r] && indices[k] <= indices[k - 1]) throw new ArgumentException($"the indices of row {r} are not ascending", nameof(indices));
                int slot = next[indices[k]]++;
                starts[slot] = pointers[r];
                ends[slot] = k;
            }
        }
        var cols = indices.ToArray();
        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        T* g = gram;
        Parallel.For(0, columns, options, i =>
        {
            T* row = g + i * ld;
            for (int e = columnPtr[i]; e < columnPtr[i + 1]; e++)
                for (int k = starts[e]; k <= ends[e]; k++) row[cols[k]] += T.One;
        });
    }

    /// <summary>
    /// Row r of <paramref name="output"/> (r over <paramref name="rows"/>, each <paramref name="width"/> values) becomes
    /// the sum of the rows of the dense matrix <paramref name="weights"/> (row stride <paramref name="width"/>) at the
    /// column indices of sparse row <c>rows[r]</c>: one block of X·W. The output is built 32 columns at a time in
    /// registers, so each strip of W stays in cache while every row of the block reads it and the output is written once.
    /// </summary>
    public static void SumRows(ReadOnlySpan<int> pointers, ReadOnlySpan<int> indices, ReadOnlySpan<int> rows, float* weights, int width, Span<float> output)
    {
        if (output.Length < (long)rows.Length * width) throw new ArgumentException($"the output holds {output.Length} values; {rows.Length} rows of {width} need {(long)rows.Length * width}", nameof(output));
        const int Strip = 32;
        fixed (float* outBase = output)
        {
            int c0 = 0;
            for (; c0 + Strip <= width; c0 += Strip)
            {
                for (int r = 0; r < rows.Length; r++)
                {
                    var acc0 = Vector256<float>.Zero;
                    var acc1 = Vector256<float>.Zero;
                    var acc2 = Vector256<float>.Zero;
                    var acc3 = Vector256<float>.Zero;
                    int user = rows[r];
                    for (int k = pointers[user]; k < pointers[user + 1]; k++)
                    {
                        float* w = weights + (nint)indices[k] * width + c0;
                        acc0 += Vector256.Load(w);
                        acc1 += Vector256.Load(w + 8);
                        acc2 += Vector256.Load(w + 16);
                        acc3 += Vector256.Load(w + 24);
                    }
                    float* o = outBase + (nint)r * width + c0;
                    acc0.Store(o);
                    acc1.Store(o + 8);
                    acc2.Store(o + 16);
                    acc3.Store(o + 24);
                }
            }
            if (c0 == width) return;
            for (int r = 0; r < rows.Length; r++)
            {
                var o = new Span<float>(outBase + (nint)r * width + c0, width - c0);
                o.Clear();
                int user = rows[r];
                for (int k = pointers[user]; k < pointers[user + 1]; k++)
                    System.Numerics.Tensors.TensorPrimitives.Add(o, new ReadOnlySpan<float>(weights + (nint)indices[k] * width + c0, width - c0), o);
            }
        }
    }
}
