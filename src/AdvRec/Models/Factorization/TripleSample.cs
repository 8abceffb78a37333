namespace AdvRec.Models.Factorization;

/// <summary>A set of BPR triples (user, positive item, negative item): the loss sample of the BPR family.</summary>
public sealed class TripleSample : ILossSample
{
    /// <summary>Wraps parallel arrays of equal length.</summary>
    public TripleSample(int[] users, int[] positives, int[] negatives)
    {
        if (positives.Length != users.Length || negatives.Length != users.Length)
            throw new ArgumentException("users, positives and negatives must have the same length");
        Users = users;
        Positives = positives;
        Negatives = negatives;
    }

    /// <summary>The user of each triple.</summary>
    public int[] Users { get; }

    /// <summary>The positive (training) item of each triple.</summary>
    public int[] Positives { get; }

    /// <summary>The sampled negative item of each triple.</summary>
    public int[] Negatives { get; }

    /// <inheritdoc/>
    public int Count => Users.Length;
}
