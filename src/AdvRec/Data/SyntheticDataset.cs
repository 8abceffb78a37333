using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using AdvRec.Kernels;

namespace AdvRec.Data;

/// <summary>
/// Generated datasets with a planted, learnable signal, deterministic from a seed: the default data of
/// <c>advrec demo</c> and fixtures for tests.
/// </summary>
public static class SyntheticDataset
{
    /// <summary>
    /// Generates <see cref="GenerateLog"/>'s log and splits it leave-one-out by time: each user's last
    /// interaction is the test row. The same seed always gives the same dataset.
    /// </summary>
    public static Dataset Generate(ulong seed, SyntheticOptions? options = null)
    {
        options ??= new SyntheticOptions();
        var log = GenerateLog(seed, options);
        string name = string.Create(CultureInfo.InvariantCulture,
            $"synthetic (seed {seed}: {options.Users} users, {options.Items} items, {options.Dimensions} latent dimensions)");
        string description = string.Create(CultureInfo.InvariantCulture,
            $"synthetic data generated from seed {seed}: {options.Users} users × {options.Items} items; each user has " +
            $"{options.MinInteractions}–{options.MaxInteractions} interactions drawn without replacement with probability ∝ " +
            $"softmax({options.Temperature}·p_u·q_i + popularity bias), latent vectors around {options.Clusters} taste clusters in " +
            $"{options.Dimensions} dimensions, Zipf-like popularity skew {options.PopularitySkew}; split leave-one-out by time");
        return DatasetLoader.FromLog(log, Splitter.LeaveOneOut(), seed, name: name, description: description, isSynthetic: true);
    }

    /// <summary>
    /// Generates an implicit-feedback log with timestamps. Users and items get unit latent vectors p_u, q_i scattered
    /// around random cluster centres; item i gets a popularity bias b_i = −skew·ln(rank_i). Each user draws between
    /// <see cref="SyntheticOptions.MinInteractions"/> and <see cref="SyntheticOptions.MaxInteractions"/> items without
    /// replacement, each draw with probability ∝ exp(temperature·p_u·q_i + b_i) over the items not yet drawn
    /// (Gumbel-top-k), at increasing timestamps in draw order. Ids are "0".."n-1" of the generator's indices.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static InteractionLog GenerateLog(ulong seed, SyntheticOptions? options = null)
    {
        options ??= new SyntheticOptions();
        int numUsers = options.Users, numItems = options.Items, dim = options.Dimensions;
        ArgumentOutOfRangeException.ThrowIfLessThan(numUsers, 1, nameof(options.Users));
        ArgumentOutOfRangeException.ThrowIfLessThan(numItems, 2, nameof(options.Items));
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1, nameof(options.Dimensions));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Clusters, 1, nameof(options.Clusters));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinInteractions, 2, nameof(options.MinInteractions));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInteractions, options.MinInteractions, nameof(options.MaxInteractions));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxInteractions, numItems, nameof(options.MaxInteractions));
        if (!(double.IsFinite(options.Temperature) && options.Temperature >= 0))
            throw new ArgumentOutOfRangeException(nameof(options), options.Temperature, "Temperature must be finite and non-negative");
        if (!(double.IsFinite(options.PopularitySkew) && options.PopularitySkew >= 0))
            throw new ArgumentOutOfRangeException(nameof(options), options.PopularitySkew, "PopularitySkew must be finite and non-negative");
        if (!(double.IsFinite(options.ClusterSpread) && options.ClusterSpread >= 0))
            throw new ArgumentOutOfRangeException(nameof(options), options.ClusterSpread, "ClusterSpread must be finite and non-negative");

        var rng = Xoshiro.Derive(seed, 0);
        var centres = new float[options.Clusters * dim];
        for (int c = 0; c < options.Clusters; c++) Normalize(FillGaussian(centres.AsSpan(c * dim, dim), ref rng, 1.0));
        var userVectors = LatentVectors(numUsers, dim, centres, options, ref rng);
        var itemVectors = LatentVectors(numItems, dim, centres, options, ref rng);
        var rank = new int[numItems];
        for (int i = 0; i < numItems; i++) rank[i] = i + 1;
        rng.Shuffle(rank.AsSpan());
        var bias = new float[numItems];
        for (int i = 0; i < numItems; i++) bias[i] = (float)(-options.PopularitySkew * Math.Log(rank[i]));

        var users = new List<int>(numUsers * (options.MinInteractions + options.MaxInteractions) / 2);
        var items = new List<int>(users.Capacity);
        var times = new List<long>(users.Capacity);
        var keys = new float[numItems];
        var heapKeys = new float[options.MaxInteractions];
        var heapItems = new int[options.MaxInteractions];
        float temperature = (float)options.Temperature;
        for (int u = 0; u < numUsers; u++)
        {
            var urng = Xoshiro.Derive(seed, 1, (ulong)u);
            int k = options.MinInteractions + urng.NextInt(options.MaxInteractions - options.MinInteractions + 1);
            var p = userVectors.AsSpan(u * dim, dim);
            for (int i = 0; i < numItems; i++)
            {
                double uniform = ((urng.NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));
                float gumbel = (float)-Math.Log(-Math.Log(uniform));
                keys[i] = temperature * TensorPrimitives.Dot(p, itemVectors.AsSpan(i * dim, dim)) + bias[i] + gumbel;
            }
            TopK(keys, k, heapKeys, heapItems);
            // Descending key order is the order of successive draws without replacement.
            Array.Sort(heapKeys, heapItems, 0, k);
            long time = 1_000_000_000L + urng.NextInt(10_000_000);
            for (int r = k - 1; r >= 0; r--)
            {
                time += 1 + urng.NextInt(86_400);
                users.Add(u);
                items.Add(heapItems[r]);
                times.Add(time);
            }
        }
        string source = string.Create(CultureInfo.InvariantCulture, $"synthetic (seed {seed})");
        return new InteractionLog(source, IdMap.Sequential(numUsers), IdMap.Sequential(numItems), [.. users], [.. items], null, [.. times]);
    }

    /// <summary>
    /// A tiny deterministic fixture with a planted parity signal: even users interact only with even items and odd
    /// users only with odd items. User u holds in training about two thirds of its parity class (the items 2j + u%2 with
    /// (j + u/2) % 3 ≠ 0); its test item is the first item of its class missing from training, and the other missing
    /// items of its class are left to recommend. Ids are "0".."n-1"; no ratings or timestamps; no validation.
    /// </summary>
    public static Dataset Checkerboard(int users, int items)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(users, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(items, 6);
        var trainUsers = new List<int>();
        var trainItems = new List<int>();
        var testUsers = new int[users];
        var testItems = new int[users];
        for (int u = 0; u < users; u++)
        {
            int parity = u % 2, shift = u / 2, classSize = (items - parity + 1) / 2;
            testUsers[u] = u;
            testItems[u] = -1;
            for (int j = 0; j < classSize; j++)
            {
                if ((j + shift) % 3 != 0)
                {
                    trainUsers.Add(u);
                    trainItems.Add(2 * j + parity);
                }
                else if (testItems[u] < 0)
                {
                    testItems[u] = 2 * j + parity;
                }
            }
        }
        var train = Interactions.Build(users, items, trainUsers.ToArray(), trainItems.ToArray());
        var test = Interactions.Build(users, items, testUsers, testItems);
        var report = SplitReport.Sizes(train, test);
        string name = string.Create(CultureInfo.InvariantCulture, $"checkerboard ({users} users, {items} items)");
        string description = "synthetic checkerboard fixture: even users interact only with even items and odd users only with odd items; " +
            "one held-out test item per user of the user's parity";
        return new Dataset(name, description, true, IdMap.Sequential(users), IdMap.Sequential(items), train, test, null, report);
    }

    private static float[] LatentVectors(int count, int dim, float[] centres, SyntheticOptions options, ref Xoshiro rng)
    {
        var vectors = new float[count * dim];
        double noise = options.ClusterSpread / Math.Sqrt(dim);
        int clusters = centres.Length / dim;
        for (int r = 0; r < count; r++)
        {
            var v = FillGaussian(vectors.AsSpan(r * dim, dim), ref rng, noise);
            TensorPrimitives.Add(v, centres.AsSpan(rng.NextInt(clusters) * dim, dim), v);
            Normalize(v);
        }
        return vectors;
    }

    private static Span<float> FillGaussian(Span<float> values, ref Xoshiro rng, double scale)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(scale * rng.NextGaussian());
        return values;
    }

    private static void Normalize(Span<float> v)
    {
        float norm = TensorPrimitives.Norm(v);
        if (norm > 0) TensorPrimitives.Divide(v, norm, v);
    }

    /// <summary>Writes the k largest keys and their indices into the first k slots of the heap arrays (in heap order).</summary>
    private static void TopK(float[] keys, int k, float[] heapKeys, int[] heapItems)
    {
        for (int i = 0; i < k; i++)
        {
            heapKeys[i] = keys[i];
            heapItems[i] = i;
        }
        for (int i = k / 2 - 1; i >= 0; i--) SiftDown(heapKeys, heapItems, i, k);
        for (int i = k; i < keys.Length; i++)
        {
            if (keys[i] <= heapKeys[0]) continue;
            heapKeys[0] = keys[i];
            heapItems[0] = i;
            SiftDown(heapKeys, heapItems, 0, k);
        }
    }

    private static void SiftDown(float[] keys, int[] items, int i, int n)
    {
        while (true)
        {
            int smallest = i, left = 2 * i + 1, right = left + 1;
            if (left < n && keys[left] < keys[smallest]) smallest = left;
            if (right < n && keys[right] < keys[smallest]) smallest = right;
            if (smallest == i) return;
            (keys[i], keys[smallest]) = (keys[smallest], keys[i]);
            (items[i], items[smallest]) = (items[smallest], items[i]);
            i = smallest;
        }
    }
}
