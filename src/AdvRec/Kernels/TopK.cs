using System.Buffers;
using System.Runtime.CompilerServices;

namespace AdvRec.Kernels;

/// <summary>
/// Top-K selection over one score row: the k highest-scoring items that are not excluded, returned sorted
/// by score descending with ties broken by the smaller item index, without sorting the row.
/// <para>
/// Method: one pass over the row appends every item that beats the current threshold to a
/// buffer of 4k candidates; when the buffer is full, a quickselect keeps its best k and raises the
/// threshold to the k-th best score. At the end the survivors are selected and the k best are sorted. The
/// expected cost on a row of n items is O(n + k log k) with a small constant; no allocation for k up to 256
/// (an array pool above that). A NaN score ranks as negative infinity and is reported as such; −0 is
/// reported as +0.
/// </para>
/// </summary>
public static class TopK
{
    private const int StackLimit = 256;

    /// <summary>
    /// Selects the <paramref name="k"/> best items of <paramref name="scores"/> (item i has score
    /// <c>scores[i]</c>), skipping the items of <paramref name="excludedSorted"/> (ascending, distinct, each
    /// in range: typically the user's training row). Writes them to <paramref name="topItems"/> and their
    /// scores to <paramref name="topScores"/>, best first: higher score first, and on equal scores the
    /// smaller item index first. Returns how many were written: k, or fewer when fewer items remain.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is negative, or an output span is shorter than k.</exception>
    /// <exception cref="ArgumentException">The excluded items are not ascending and distinct, or lie outside the row.</exception>
    [SkipLocalsInit]
    public static int Select(ReadOnlySpan<float> scores, ReadOnlySpan<int> excludedSorted, int k,
        Span<int> topItems, Span<float> topScores)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (topItems.Length < k) throw new ArgumentOutOfRangeException(nameof(topItems), $"topItems holds {topItems.Length} entries, fewer than k = {k}");
        if (topScores.Length < k) throw new ArgumentOutOfRangeException(nameof(topScores), $"topScores holds {topScores.Length} entries, fewer than k = {k}");
        if (k == 0) return 0;

        int capacity = 4 * k;
        int[]? rentedItems = null;
        ulong[]? rentedKeys = null;
        Span<int> buffer = k <= StackLimit ? stackalloc int[4 * StackLimit] : (rentedItems = ArrayPool<int>.Shared.Rent(capacity));
        Span<ulong> keys = k <= StackLimit ? stackalloc ulong[4 * StackLimit] : (rentedKeys = ArrayPool<ulong>.Shared.Rent(capacity));
        buffer = buffer[..capacity];
        keys = keys[..capacity];

        var state = new Candidates(buffer, keys, k);
        int n = scores.Length;
        int start = 0;
        int previous = -1;
        foreach (int excluded in excludedSorted)
        {
            if (excluded <= previous) throw new ArgumentException($"excluded items must be ascending and distinct ({previous} then {excluded})", nameof(excludedSorted));
            if (excluded >= n) throw new ArgumentException($"excluded item {excluded} is outside the row of {n} scores", nameof(excludedSorted));
            if (excluded < 0) throw new ArgumentException($"excluded item {excluded} is negative", nameof(excludedSorted));
            state.Offer(scores, start, excluded);
            start = excluded + 1;
            previous = excluded;
        }
        state.Offer(scores, start, n);

        int count = state.Finish(scores);
        for (int j = 0; j < count; j++)
        {
            ulong key = keys[j];
            topItems[j] = (int)~(uint)key;
            topScores[j] = ScoreOf((uint)(key >> 32));
        }
        if (rentedItems is not null) ArrayPool<int>.Shared.Return(rentedItems);
        if (rentedKeys is not null) ArrayPool<ulong>.Shared.Return(rentedKeys);
        return count;
    }

    /// <summary>
    /// The ordering key of (score, item): a larger key is a better item. High 32 bits: the score mapped to an
    /// unsigned integer of the same order (NaN as −∞, −0 as +0); low 32 bits: the complement of the item, so
    /// that on equal scores the smaller item is better. Keys of distinct items are distinct.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong KeyOf(float score, int item)
    {
        if (float.IsNaN(score)) score = float.NegativeInfinity;
        else if (score == 0f) score = 0f;
        uint bits = BitConverter.SingleToUInt32Bits(score);
        uint ordered = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        return ((ulong)ordered << 32) | ~(uint)item;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ScoreOf(uint ordered) =>
        BitConverter.UInt32BitsToSingle((ordered & 0x8000_0000u) != 0 ? ordered & 0x7FFF_FFFFu : ~ordered);

    /// <summary>
    /// Rearranges <paramref name="keys"/> so that its first <paramref name="k"/> entries are its k largest
    /// (in no particular order); quickselect with a median-of-three pivot. Keys must be distinct.
    /// </summary>
    private static void SelectLargest(Span<ulong> keys, int k)
    {
        int target = k - 1;
        int lo = 0, hi = keys.Length - 1;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            // Order keys[lo] >= keys[mid] >= keys[hi], then partition around keys[mid].
            if (keys[mid] > keys[lo]) (keys[mid], keys[lo]) = (keys[lo], keys[mid]);
            if (keys[hi] > keys[lo]) (keys[hi], keys[lo]) = (keys[lo], keys[hi]);
            if (keys[hi] > keys[mid]) (keys[hi], keys[mid]) = (keys[mid], keys[hi]);
            ulong pivot = keys[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (keys[i] > pivot) i++;
                while (keys[j] < pivot) j--;
                if (i <= j)
                {
                    (keys[i], keys[j]) = (keys[j], keys[i]);
                    i++;
                    j--;
                }
            }
            // Now [lo, j] ≥ pivot ≥ [i, hi], and (j, i) holds only the pivot.
            if (target <= j) hi = j;
            else if (target >= i) lo = i;
            else return;
        }
    }

    /// <summary>The candidate buffer: item indices that may still be among the k best.</summary>
    private ref struct Candidates(Span<int> buffer, Span<ulong> keys, int k)
    {
        private readonly Span<int> _buffer = buffer;
        private readonly Span<ulong> _keys = keys;
        private readonly int _k = k;
        private int _count;
        private bool _primed;
        private float _threshold;

        /// <summary>Offers items [from, to), in ascending index order.</summary>
        public void Offer(ReadOnlySpan<float> scores, int from, int to)
        {
            int i = from;
            int capacity = _buffer.Length;
            if (!_primed)
            {
                // Until the buffer first fills, every item is a candidate (NaN and −∞ included).
                for (; i < to && _count < capacity; i++) _buffer[_count++] = i;
                if (_count < capacity) return;
                Shrink(scores);
            }

            // Items arrive in ascending index order, so a newcomer that only ties the threshold loses to every
            // kept item with that score: only a strictly higher score makes it a candidate. NaN never does.
            float threshold = _threshold;
            int count = _count;
            Span<int> buffer = _buffer;
            for (; i < to; i++)
            {
                if (scores[i] > threshold)
                {
                    buffer[count++] = i;
                    if (count == capacity)
                    {
                        _count = count;
                        Shrink(scores);
                        count = _count;
                        threshold = _threshold;
                    }
                }
            }
            _count = count;
        }

        /// <summary>Keeps the k best candidates and raises the threshold to the k-th best score.</summary>
        private void Shrink(ReadOnlySpan<float> scores)
        {
            Span<ulong> keys = _keys[.._count];
            for (int c = 0; c < keys.Length; c++) keys[c] = KeyOf(scores[_buffer[c]], _buffer[c]);
            SelectLargest(keys, _k);
            ulong worst = ulong.MaxValue;
            for (int c = 0; c < _k; c++)
            {
                ulong key = keys[c];
                _buffer[c] = (int)~(uint)key;
                if (key < worst) worst = key;
            }
            _count = _k;
            _threshold = ScoreOf((uint)(worst >> 32));
            _primed = true;
        }

        /// <summary>Leaves the best min(k, candidates) keys in the key buffer, best first; returns their number.</summary>
        public readonly int Finish(ReadOnlySpan<float> scores)
        {
            Span<ulong> keys = _keys[.._count];
            for (int c = 0; c < keys.Length; c++) keys[c] = KeyOf(scores[_buffer[c]], _buffer[c]);
            int count = Math.Min(_k, keys.Length);
            if (keys.Length > count) SelectLargest(keys, count);
            keys = keys[..count];
            keys.Sort();
            keys.Reverse();
            return count;
        }
    }
}
