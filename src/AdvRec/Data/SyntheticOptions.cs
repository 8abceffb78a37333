namespace AdvRec.Data;

/// <summary>The shape of a generated dataset (see <see cref="SyntheticDataset.Generate"/>); the defaults make the data set of <c>advrec demo</c>.</summary>
public sealed record SyntheticOptions
{
    /// <summary>Number of users; default 2,000.</summary>
    public int Users { get; init; } = 2000;

    /// <summary>Number of items; default 1,500.</summary>
    public int Items { get; init; } = 1500;

    /// <summary>Dimensions of the planted user and item latent vectors; default 16.</summary>
    public int Dimensions { get; init; } = 16;

    /// <summary>Number of taste clusters the latent vectors are drawn around; default 12.</summary>
    public int Clusters { get; init; } = 12;

    /// <summary>Standard deviation of a vector around its cluster centre, relative to the centre's norm; default 0.6.</summary>
    public double ClusterSpread { get; init; } = 0.6;

    /// <summary>Fewest interactions per user; default 20.</summary>
    public int MinInteractions { get; init; } = 20;

    /// <summary>Most interactions per user; default 80 (each user draws uniformly between the two).</summary>
    public int MaxInteractions { get; init; } = 80;

    /// <summary>Inverse temperature of the softmax over the preference p_u·q_i (unit vectors); default 6.</summary>
    public double Temperature { get; init; } = 6.0;

    /// <summary>
    /// Popularity skew: item i of popularity rank r (1-based, a random permutation) gets bias −s·ln r, so its
    /// weight is ∝ r^−s (Zipf-like); default 0.8. Zero gives no skew.
    /// </summary>
    public double PopularitySkew { get; init; } = 0.8;
}
