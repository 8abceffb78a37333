using System.Runtime.CompilerServices;
using AdvRec.Data;
using AdvRec.Kernels;

namespace AdvRec.Models.Factorization;

/// <summary>A unit of sampled BPR triples, with each touched row's slot in the updater's compact per-batch buffers.</summary>
internal sealed class SampledUnit(int capacity, int maxUsers, int maxItems)
{
    public readonly int[] U = new int[capacity], I = new int[capacity], J = new int[capacity];
    public readonly int[] SlotU = new int[capacity], SlotI = new int[capacity], SlotJ = new int[capacity];
    public readonly int[] TouchedU = new int[maxUsers], TouchedI = new int[maxItems];
    public int Count, NumTouchedU, NumTouchedI;
}

/// <summary>
/// The BPR triple sampler of the factorization models: each epoch visits every training pair once, in an order
/// shuffled from the seed and the epoch (a forward Fisher–Yates, advanced unit by unit), each with one uniform
/// negative drawn from the unit's own stream. Used by one thread at a time (the sampler thread of
/// <see cref="SamplingPipeline"/>, or the training thread).
/// </summary>
internal sealed class TripleSampler
{
    /// <summary>Units in flight: the one being applied and the one being sampled.</summary>
    public const int Buffers = 2;

    private readonly ulong[] _pairs;
    private readonly Interactions _train;
    private readonly ulong _seed;
    private readonly ulong[] _order;
    private readonly int[] _stampU, _stampI, _slotU, _slotI;
    private readonly SampledUnit[] _buffers = new SampledUnit[Buffers];
    private Xoshiro _shuffle;
    private int _epoch, _unitSize, _stamp;
    private bool _assignSlots;

    /// <summary>A sampler of the pairs of <paramref name="train"/>, with the streams of <paramref name="seed"/>.</summary>
    public TripleSampler(Interactions train, ulong seed)
    {
        _pairs = PackPairs(train);
        _train = train;
        _seed = seed;
        _order = new ulong[_pairs.Length];
        _stampU = new int[train.NumUsers];
        _stampI = new int[train.NumItems];
        _slotU = new int[train.NumUsers];
        _slotI = new int[train.NumItems];
    }

    /// <summary>Units of the current epoch.</summary>
    public int Units { get; private set; }

    /// <summary>
    /// (user &lt;&lt; 32 | item) of every training pair, in CSR order: the starting order of every epoch.
    /// </summary>
    public static ulong[] PackPairs(Interactions train)
    {
        var users = train.UserIndices();
        var items = train.ItemIndices;
        var pairs = new ulong[users.Length];
        for (int k = 0; k < pairs.Length; k++) pairs[k] = (ulong)(uint)users[k] << 32 | (uint)items[k];
        return pairs;
    }

    /// <summary>Draws a uniform negative not in <paramref name="user"/>'s training items; -1 when the user has every item.</summary>
    public static int SampleNegative(Interactions train, int user, ref Xoshiro rng)
    {
        int numItems = train.NumItems;
        var items = train.ItemsOf(user);
        if (items.Length >= numItems) return -1;
        int j;
        do j = rng.NextInt(numItems); while (items.BinarySearch(j) >= 0);
        return j;
    }

    /// <summary>
    /// Every training pair with one uniform negative, drawn in fixed chunks of pairs from streams of
    /// <paramref name="seed"/> (in parallel; the result does not depend on the number of cores). Users that have every
    /// item have no negative and are left out.
    /// </summary>
    public static TripleSample DrawAttackSample(Interactions train, ulong seed)
    {
        int n = train.Count;
        var users = train.UserIndices();
        var pos = train.ItemIndices.ToArray();
        var neg = new int[n];
        const int Chunk = 1 << 14;
        int chunks = (n + Chunk - 1) / Chunk;
        Parallel.For(0, chunks, c =>
        {
            var rng = Xoshiro.Derive(seed, 0xA77AC, (ulong)c);
            int end = Math.Min(n, (c + 1) * Chunk);
            for (int k = c * Chunk; k < end; k++) neg[k] = SampleNegative(train, users[k], ref rng);
        });
        if (Array.IndexOf(neg, -1) < 0) return new TripleSample(users, pos, neg);
        var keep = Enumerable.Range(0, n).Where(k => neg[k] >= 0).ToArray();
        return new TripleSample(keep.Select(k => users[k]).ToArray(), keep.Select(k => pos[k]).ToArray(), keep.Select(k => neg[k]).ToArray());
    }

    /// <summary>
    /// Starts epoch <paramref name="epoch"/> in units of <paramref name="unitSize"/> triples; with
    /// <paramref name="assignSlots"/>, each unit also numbers the rows it touches (for batch updates).
    /// </summary>
    public void StartEpoch(int epoch, int unitSize, bool assignSlots)
    {
        _pairs.AsSpan().CopyTo(_order);
        _shuffle = Xoshiro.Derive(_seed, 1 + (ulong)epoch);
        _epoch = epoch;
        _assignSlots = assignSlots;
        Units = (_order.Length + unitSize - 1) / unitSize;
        EnsureUnitSize(unitSize);
    }

    private void EnsureUnitSize(int unitSize)
    {
        if (_unitSize == unitSize) return;
        _unitSize = unitSize;
        for (int k = 0; k < Buffers; k++)
            _buffers[k] = new SampledUnit(unitSize, Math.Min(unitSize, _train.NumUsers), Math.Min(2 * unitSize, _train.NumItems));
    }

    /// <summary>The buffer that unit <paramref name="unit"/> is sampled into.</summary>
    public SampledUnit Buffer(int unit) => _buffers[unit % Buffers];

    /// <summary>Fills unit <paramref name="unit"/> (called for 0, 1, 2, … in order).</summary>
    public SampledUnit Fill(int unit)
    {
        var s = Buffer(unit);
        int n = _order.Length, start = unit * _unitSize, end = Math.Min(n, start + _unitSize);
        // forward Fisher–Yates: positions [start, end) take their final values now
        for (int k = start; k < end; k++)
        {
            int r = k + _shuffle.NextInt(n - k);
            (_order[k], _order[r]) = (_order[r], _order[k]);
        }
        var rng = Xoshiro.Derive(_seed, 1 + (ulong)_epoch, 1 + (ulong)unit);
        Begin(s);
        for (int k = start; k < end; k++)
        {
            ulong pair = _order[k];
            int u = (int)(pair >> 32), i = (int)(uint)pair;
            int j = SampleNegative(_train, u, ref rng);
            if (j < 0) continue;
            if (_assignSlots) Add(s, u, i, j);
            else
            {
                int m = s.Count++;
                s.U[m] = u; s.I[m] = i; s.J[m] = j;
            }
        }
        return s;
    }

    /// <summary>A unit of the given triples, with slots (for tests: one batch step on chosen triples).</summary>
    public SampledUnit FillFrom(int[] users, int[] positives, int[] negatives)
    {
        if (_unitSize < users.Length) EnsureUnitSize(users.Length);
        var s = _buffers[0];
        Begin(s);
        for (int t = 0; t < users.Length; t++) Add(s, users[t], positives[t], negatives[t]);
        return s;
    }

    /// <summary>
    /// Runs the epoch started by <see cref="StartEpoch"/>: <paramref name="update"/> on each unit in order. With
    /// <paramref name="pipelined"/> (and two units or more), a second thread samples the next unit meanwhile
    /// (<see cref="SamplingPipeline"/>); the units are the same either way.
    /// </summary>
    public void Run(bool pipelined, Action<int, SampledUnit> update, CancellationToken cancellationToken)
    {
        int units = Units;
        if (pipelined && units > 1) SamplingPipeline.Run(units, Buffers, b => Fill(b), b => update(b, Buffer(b)), cancellationToken);
        else
        {
            for (int b = 0; b < units; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                update(b, Fill(b));
            }
        }
    }

    private void Begin(SampledUnit s)
    {
        _stamp++;
        s.Count = s.NumTouchedU = s.NumTouchedI = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(SampledUnit s, int u, int i, int j)
    {
        int m = s.Count++;
        s.U[m] = u; s.I[m] = i; s.J[m] = j;
        s.SlotU[m] = Slot(u, _stampU, _slotU, s.TouchedU, ref s.NumTouchedU);
        s.SlotI[m] = Slot(i, _stampI, _slotI, s.TouchedI, ref s.NumTouchedI);
        s.SlotJ[m] = Slot(j, _stampI, _slotI, s.TouchedI, ref s.NumTouchedI);
    }

    // The row's slot in this unit: assigned on first touch.
    private int Slot(int row, int[] stamps, int[] slots, int[] touched, ref int numTouched)
    {
        if (stamps[row] == _stamp) return slots[row];
        stamps[row] = _stamp;
        touched[numTouched] = row;
        return slots[row] = numTouched++;
    }
}
