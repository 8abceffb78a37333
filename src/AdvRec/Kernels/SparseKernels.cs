using System.Numerics;

namespace AdvRec.Kernels;

/// <summary>
/// Products of a binary sparse matrix in CSR form (row pointers, column indices ascending within each row): the Gram
/// matrix XᵀX of an interaction matrix. Its product with a dense matrix, X·W, is <see cref="StripedMatrix.SumRows"/>.
/// </summary>
public static unsafe class SparseKernels
{
    /// <summary>
    /// Writes the lower triangle (diagonal included) of XᵀX into the <paramref name="columns"/> × <paramref name="columns"/>
    /// matrix at <paramref name="gram"/> (row stride <paramref name="ld"/>) and zeros above it, X the binary matrix whose
    /// row r holds ones at <c>indices[pointers[r] .. pointers[r + 1])</c>, ascending. Entry (i, j), j ≤ i, counts the rows
    /// that hold both; a row of X with d ones adds d(d + 1)/2 counts, half of what the full product takes. Rows of the
    /// result are shared out between <paramref name="threads"/> threads (0 = all cores), each counted in a 32-bit buffer
    /// of its thread and then written whole, once, by that thread (so the matrix's memory may be uninitialised).
    /// </summary>
    public static void GramLower<T>(ReadOnlySpan<int> pointers, ReadOnlySpan<int> indices, int columns, T* gram, nint ld,
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
                ends[slot] = k + 1;
            }
        }
        var cols = indices.ToArray();
        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        T* g = gram;
        Parallel.For(0, columns, options, () => new int[columns], (i, _, counts) =>
        {
            fixed (int* c = counts, ix = cols)
            {
                for (int e = columnPtr[i]; e < columnPtr[i + 1]; e++)
                {
                    int* k = ix + starts[e], end = ix + ends[e];
                    for (; k + 4 <= end; k += 4)
                    {
                        c[k[0]]++;
                        c[k[1]]++;
                        c[k[2]]++;
                        c[k[3]]++;
                    }
                    for (; k < end; k++) c[*k]++;
                }
                T* row = g + i * ld;
                for (int j = 0; j <= i; j++)
                {
                    row[j] = T.CreateTruncating(c[j]);
                    c[j] = 0;
                }
                new Span<T>(row + i + 1, columns - i - 1).Clear();
            }
            return counts;
        }, _ => { });
    }
}
