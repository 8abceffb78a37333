using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AdvRec.Evaluation;

/// <summary>
/// The ranks of a user's relevant items among the candidates of a full score row, with the pessimistic
/// tie rule of PROTOCOLS §1 (ties count against the model), without sorting the row.
/// <para>
/// Candidates are all items except the excluded ones (the user's training row). For a relevant candidate r
/// with score s_r: rank(r) = #(non-relevant candidates with score ≥ s_r) + #(other relevant candidates with
/// score &gt; s_r, or an equal score and a smaller item index). This is r's 0-based position in the list
/// ordered by score descending in which every relevant item comes after the non-relevant items it ties
/// with, and tied relevant items come in item order, so the ranks are distinct. A NaN score counts as −∞
/// for a relevant item and is never counted above a relevant item for a non-relevant one.
/// </para>
/// <para>
/// Cost: for up to 96 rankable relevant items, vectorised counting of the items at or above each relevant
/// score (O(n·m / vector width)); above that, one pass with a binary search into the sorted relevant scores
/// for each item that reaches the lowest of them (O(n log m)); plus O(|excluded| log m). No allocation for
/// up to 256 relevant items (an array pool above that).
/// </para>
/// </summary>
public static class PessimisticRanks
{
    private const int StackLimit = 256;

    // Up to this many relevant scores, vector counting (O(n·m / lanes)) beats a binary search per item.
    private const int VectorThresholds = 96;

    /// <summary>
    /// Computes the ranks of the items of <paramref name="relevantSorted"/> (ascending, distinct) among the
    /// candidates of <paramref name="scores"/> (all items not in <paramref name="excludedSorted"/>, which is
    /// ascending and distinct). Writes, best first, <paramref name="ranks"/>[j] (ascending) and
    /// <paramref name="order"/>[j], the index into <paramref name="relevantSorted"/> of the item with that
    /// rank. A relevant item that is also excluded cannot be ranked: it gets
    /// <see cref="RankingMetrics.NotRanked"/> and comes last. Returns the number of non-relevant
    /// candidates (the negatives of AUC).
    /// </summary>
    /// <exception cref="ArgumentException">An output span is shorter than the relevant list, or an item lies outside the row.</exception>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Compute(ReadOnlySpan<float> scores, ReadOnlySpan<int> excludedSorted, ReadOnlySpan<int> relevantSorted,
        Span<int> ranks, Span<int> order)
    {
        int m = relevantSorted.Length;
        int n = scores.Length;
        if (ranks.Length < m) throw new ArgumentException($"ranks holds {ranks.Length} entries for {m} relevant items", nameof(ranks));
        if (order.Length < m) throw new ArgumentException($"order holds {order.Length} entries for {m} relevant items", nameof(order));
        if (excludedSorted.Length > 0 && ((uint)excludedSorted[0] >= (uint)n || (uint)excludedSorted[^1] >= (uint)n))
            throw new ArgumentException($"an excluded item lies outside the row of {n} scores", nameof(excludedSorted));
        if (m == 0) return n - excludedSorted.Length;

        ulong[]? rentedKeys = null;
        float[]? rentedDesc = null;
        int[]? rentedCounts = null;
        Span<ulong> keys = m <= StackLimit ? stackalloc ulong[StackLimit] : (rentedKeys = ArrayPool<ulong>.Shared.Rent(m));
        Span<float> desc = m <= StackLimit ? stackalloc float[StackLimit] : (rentedDesc = ArrayPool<float>.Shared.Rent(m));
        Span<int> counts = m <= StackLimit ? stackalloc int[StackLimit] : (rentedCounts = ArrayPool<int>.Shared.Rent(m));

        // 1. The rankable relevant items, ordered by (score descending, item ascending) through one sortable key:
        //    high 32 bits = score mapped to an ascending unsigned key and inverted, low 32 bits = position in
        //    relevantSorted (which orders like the item index).
        int ranked = 0, unranked = 0;
        for (int q = 0; q < m; q++)
        {
            int item = relevantSorted[q];
            if ((uint)item >= (uint)n) throw new ArgumentException($"relevant item {item} lies outside the row of {n} scores", nameof(relevantSorted));
            if (excludedSorted.BinarySearch(item) >= 0)
            {
                order[m - 1 - unranked++] = q; // filled from the back, reversed below
                continue;
            }
            keys[ranked++] = ((ulong)~AscendingKey(Sanitize(scores[item])) << 32) | (uint)q;
        }
        order[ranked..m].Reverse();
        ranks[ranked..m].Fill(RankingMetrics.NotRanked);
        int candidates = n - excludedSorted.Length;
        int negatives = candidates - ranked;
        if (ranked == 0) { Return(rentedKeys, rentedDesc, rentedCounts); return negatives; }

        keys = keys[..ranked];
        desc = desc[..ranked];
        counts = counts[..ranked];
        keys.Sort();
        for (int j = 0; j < ranked; j++)
        {
            int q = (int)(uint)keys[j];
            order[j] = q;
            desc[j] = Sanitize(scores[relevantSorted[q]]);
        }
        counts.Clear();
        float lowest = desc[ranked - 1];

        // 2. counts[j] = number of items whose score x first reaches relevant score desc[j] (desc[j] ≤ x, j
        //    smallest), over the whole row; then remove the excluded items and the rankable relevant items
        //    themselves with the same predicate, so only non-relevant candidates remain.
        if (ranked <= VectorThresholds)
        {
            // Few relevant scores: count the items at or above each of them with vector compares, then turn
            // those cumulative counts into the per-interval counts.
            CountAtLeast(scores, desc, counts);
            for (int j = ranked - 1; j > 0; j--) counts[j] -= counts[j - 1];
        }
        else
        {
            for (int i = 0; i < scores.Length; i++)
            {
                float x = scores[i];
                if (x >= lowest) counts[FirstAtMost(desc, x)]++;
            }
        }
        foreach (int e in excludedSorted)
        {
            float x = scores[e];
            if (x >= lowest) counts[FirstAtMost(desc, x)]--;
        }
        for (int j = 0; j < ranked; j++)
        {
            float x = scores[relevantSorted[order[j]]];
            if (x >= lowest) counts[FirstAtMost(desc, x)]--;
        }

        // 3. rank_j = (non-relevant candidates at or above desc[j]) + (relevant items ordered before j).
        int above = 0;
        for (int j = 0; j < ranked; j++)
        {
            above += counts[j];
            ranks[j] = above + j;
        }
        Return(rentedKeys, rentedDesc, rentedCounts);
        return negatives;
    }

    private static void Return(ulong[]? keys, float[]? desc, int[]? counts)
    {
        if (keys is not null) ArrayPool<ulong>.Shared.Return(keys);
        if (desc is not null) ArrayPool<float>.Shared.Return(desc);
        if (counts is not null) ArrayPool<int>.Shared.Return(counts);
    }

    /// <summary>NaN becomes −∞ and −0 becomes +0, so that the key order agrees with float comparison.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sanitize(float s) => float.IsNaN(s) ? float.NegativeInfinity : s == 0f ? 0f : s;

    /// <summary>An unsigned key that orders like the (non-NaN) float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint AscendingKey(float s)
    {
        uint bits = BitConverter.SingleToUInt32Bits(s);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    /// <summary>The first j with desc[j] ≤ x, for desc sorted descending and x ≥ desc[^1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FirstAtMost(ReadOnlySpan<float> desc, float x)
    {
        int lo = 0, hi = desc.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (desc[mid] <= x) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>
    /// For each threshold t_j, the number of entries with a score ≥ t_j (NaN entries are never counted),
    /// four thresholds per pass over the row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CountAtLeast(ReadOnlySpan<float> scores, ReadOnlySpan<float> thresholds, Span<int> counts)
    {
        int j = 0;
        for (; j + 4 <= thresholds.Length; j += 4)
            CountAtLeast4(scores, thresholds[j], thresholds[j + 1], thresholds[j + 2], thresholds[j + 3], counts.Slice(j, 4));
        for (; j < thresholds.Length; j++)
            counts[j] = CountAtLeast1(scores, thresholds[j]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CountAtLeast1(ReadOnlySpan<float> scores, float threshold)
    {
        int count = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && scores.Length >= Vector<float>.Count)
        {
            var t = new Vector<float>(threshold);
            var acc = Vector<int>.Zero;
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(scores);
            // Each lane counts at most scores.Length / lanes items: no overflow.
            foreach (var v in vectors) acc -= Vector.GreaterThanOrEqual(v, t);
            count = Vector.Sum(acc);
            i = vectors.Length * Vector<float>.Count;
        }
        for (; i < scores.Length; i++) if (scores[i] >= threshold) count++;
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CountAtLeast4(ReadOnlySpan<float> scores, float t0, float t1, float t2, float t3, Span<int> counts)
    {
        int c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && scores.Length >= Vector<float>.Count)
        {
            Vector<float> v0 = new(t0), v1 = new(t1), v2 = new(t2), v3 = new(t3);
            Vector<int> a0 = Vector<int>.Zero, a1 = Vector<int>.Zero, a2 = Vector<int>.Zero, a3 = Vector<int>.Zero;
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(scores);
            foreach (var v in vectors)
            {
                a0 -= Vector.GreaterThanOrEqual(v, v0);
                a1 -= Vector.GreaterThanOrEqual(v, v1);
                a2 -= Vector.GreaterThanOrEqual(v, v2);
                a3 -= Vector.GreaterThanOrEqual(v, v3);
            }
            c0 = Vector.Sum(a0);
            c1 = Vector.Sum(a1);
            c2 = Vector.Sum(a2);
            c3 = Vector.Sum(a3);
            i = vectors.Length * Vector<float>.Count;
        }
        for (; i < scores.Length; i++)
        {
            float x = scores[i];
            if (x >= t0) c0++;
            if (x >= t1) c1++;
            if (x >= t2) c2++;
            if (x >= t3) c3++;
        }
        counts[0] = c0;
        counts[1] = c1;
        counts[2] = c2;
        counts[3] = c3;
    }
}
