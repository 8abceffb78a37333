using System.Globalization;
using System.Numerics.Tensors;
using AdvRec.Kernels;

namespace AdvRec.Data.Features;

/// <summary>The shape of a <see cref="SyntheticVisualDataset"/>; the defaults make a small dataset that trains in seconds.</summary>
public sealed record SyntheticVisualOptions
{
    /// <summary>Number of users; default 1,500.</summary>
    public int Users { get; init; } = 1500;

    /// <summary>Number of items; default 1,000.</summary>
    public int Items { get; init; } = 1000;

    /// <summary>Length D of each item's feature vector; default 64.</summary>
    public int FeatureDimension { get; init; } = 64;

    /// <summary>Dimensions of the planted latent spaces (visual and collaborative); default 8.</summary>
    public int LatentDimension { get; init; } = 8;

    /// <summary>Share α of the preference driven by the visual latent vectors (the rest by item-id latent vectors); default 0.8.</summary>
    public double VisualWeight { get; init; } = 0.8;

    /// <summary>Standard deviation of the noise added to every feature value (the visual signal has unit scale); default 0.3.</summary>
    public double FeatureNoise { get; init; } = 0.3;

    /// <summary>Fewest interactions per user; default 6.</summary>
    public int MinInteractions { get; init; } = 6;

    /// <summary>Most interactions per user; default 16.</summary>
    public int MaxInteractions { get; init; } = 16;

    /// <summary>Inverse temperature of the softmax over preferences; default 8.</summary>
    public double Temperature { get; init; } = 8.0;

    /// <summary>Checks every value and names the first one that is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Users, 2, nameof(Users));
        ArgumentOutOfRangeException.ThrowIfLessThan(Items, 4, nameof(Items));
        ArgumentOutOfRangeException.ThrowIfLessThan(FeatureDimension, 1, nameof(FeatureDimension));
        ArgumentOutOfRangeException.ThrowIfLessThan(LatentDimension, 1, nameof(LatentDimension));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinInteractions, 2, nameof(MinInteractions));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInteractions, MinInteractions, nameof(MaxInteractions));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxInteractions, Items - 1, nameof(MaxInteractions));
        if (!(VisualWeight is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(VisualWeight), VisualWeight, "must be in [0, 1]");
        if (!(FeatureNoise >= 0) || !double.IsFinite(FeatureNoise)) throw new ArgumentOutOfRangeException(nameof(FeatureNoise), FeatureNoise, "must be a finite number >= 0");
        if (!(Temperature >= 0) || !double.IsFinite(Temperature)) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "must be a finite number >= 0");
    }
}

/// <summary>
/// A seeded synthetic dataset whose preferences are partly driven by planted item feature vectors, so that the
/// benefit of features is known. Every item has a visual latent vector v_i and an id latent vector w_i (unit vectors
/// in <see cref="SyntheticVisualOptions.LatentDimension"/> dimensions); every user a visual taste a_u and an id taste
/// c_u. User u draws between MinInteractions and MaxInteractions items without replacement with probability ∝
/// exp(T·(α·a_u·v_i + (1−α)·c_u·w_i)) (Gumbel-top-k). The item's feature vector is f_i = A·v_i + σ·noise, with A a
/// fixed random D × k matrix (columns of norm about 1): the features reveal v_i, not w_i. Split leave-one-out by time.
/// </summary>
public static class SyntheticVisualDataset
{
    /// <summary>Generates the dataset (interactions and aligned item features) from <paramref name="seed"/>.</summary>
    public static Dataset Generate(ulong seed, SyntheticVisualOptions? options = null)
    {
        options ??= new SyntheticVisualOptions();
        options.Validate();
        var (log, table) = GenerateLog(seed, options);
        string name = string.Create(CultureInfo.InvariantCulture, $"synthetic-visual (seed {seed})");
        string description = string.Create(CultureInfo.InvariantCulture,
            $"synthetic visual data from seed {seed}: {options.Users} users × {options.Items} items, {options.MinInteractions}–{options.MaxInteractions} " +
            $"interactions per user, preference {options.VisualWeight}·visual + {1 - options.VisualWeight}·id (latent dimension {options.LatentDimension}, " +
            $"temperature {options.Temperature}), {options.FeatureDimension}-d features = A·v_i + {options.FeatureNoise}·noise; split leave-one-out by time");
        var data = DatasetLoader.FromLog(log, Splitter.LeaveOneOut(), seed, name: name, description: description, isSynthetic: true);
        return data.WithItemFeatures(ItemFeatures.Align(table, data.Items));
    }

    /// <summary>The interaction log (ids "0".."n-1", timestamps in draw order) and the feature table keyed by item id.</summary>
    public static (InteractionLog Log, FeatureTable Features) GenerateLog(ulong seed, SyntheticVisualOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int nu = options.Users, ni = options.Items, k = options.LatentDimension, d = options.FeatureDimension;
        var rng = Xoshiro.Derive(seed, 0x715);
        var visual = UnitVectors(ni, k, ref rng);
        var id = UnitVectors(ni, k, ref rng);
        var tasteV = UnitVectors(nu, k, ref rng);
        var tasteI = UnitVectors(nu, k, ref rng);
        var a = new float[d * k];
        for (int x = 0; x < a.Length; x++) a[x] = (float)(rng.NextGaussian() / Math.Sqrt(d) * Math.Sqrt(d / (double)k));
        var features = new float[ni * d];
        for (int i = 0; i < ni; i++)
        {
            var v = visual.AsSpan(i * k, k);
            for (int r = 0; r < d; r++)
                features[i * d + r] = TensorPrimitives.Dot(a.AsSpan(r * k, k), v) + (float)(options.FeatureNoise * rng.NextGaussian());
        }
        float alpha = (float)options.VisualWeight, temperature = (float)options.Temperature;
        var users = new List<int>();
        var items = new List<int>();
        var times = new List<long>();
        var keys = new float[ni];
        var order = new int[ni];
        for (int u = 0; u < nu; u++)
        {
            var urng = Xoshiro.Derive(seed, 0x716, (ulong)u);
            int count = options.MinInteractions + urng.NextInt(options.MaxInteractions - options.MinInteractions + 1);
            var tv = tasteV.AsSpan(u * k, k);
            var ti = tasteI.AsSpan(u * k, k);
            for (int i = 0; i < ni; i++)
            {
                double uniform = ((urng.NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));
                float gumbel = (float)-Math.Log(-Math.Log(uniform));
                float pref = alpha * TensorPrimitives.Dot(tv, visual.AsSpan(i * k, k)) + (1 - alpha) * TensorPrimitives.Dot(ti, id.AsSpan(i * k, k));
                keys[i] = -(temperature * pref + gumbel); // ascending sort = descending key
                order[i] = i;
            }
            Array.Sort(keys, order);
            long time = 1_000_000_000L + urng.NextInt(1_000_000);
            for (int r = 0; r < count; r++)
            {
                time += 1 + urng.NextInt(86_400);
                users.Add(u);
                items.Add(order[r]);
                times.Add(time);
            }
        }
        string source = string.Create(CultureInfo.InvariantCulture, $"synthetic-visual (seed {seed})");
        var itemIds = IdMap.Sequential(ni);
        return (new InteractionLog(source, IdMap.Sequential(nu), itemIds, [.. users], [.. items], null, [.. times]),
            new FeatureTable(source + " features", itemIds.Ids, features, d));
    }

    private static float[] UnitVectors(int count, int dim, ref Xoshiro rng)
    {
        var v = new float[count * dim];
        for (int r = 0; r < count; r++)
        {
            var row = v.AsSpan(r * dim, dim);
            for (int c = 0; c < dim; c++) row[c] = (float)rng.NextGaussian();
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0) TensorPrimitives.Divide(row, norm, row);
        }
        return v;
    }
}
