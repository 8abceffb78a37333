namespace AdvRec.Data;

/// <summary>
/// A recommendation dataset ready for training and evaluation: the training, test and optional validation
/// interactions in one index space, the id maps back to the original ids, and a report of what loading did.
/// Users and items are indexed by the training input (in order of first appearance); every
/// <see cref="Interactions"/> here has <c>NumUsers = Users.Count</c> and <c>NumItems = Items.Count</c>.
/// </summary>
public sealed class Dataset
{
    /// <summary>Creates a dataset, checking that all parts share the index space of the id maps.</summary>
    public Dataset(string name, string description, bool isSynthetic, IdMap users, IdMap items,
        Interactions train, Interactions test, Interactions? validation, SplitReport report, float? binarizeThreshold = null,
        IReadOnlyList<int>? fitUsers = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(report);
        CheckShape(train, "train", users, items);
        CheckShape(test, "test", users, items);
        if (validation is not null) CheckShape(validation, "validation", users, items);
        Name = name;
        Description = description;
        IsSynthetic = isSynthetic;
        Users = users;
        Items = items;
        Train = train;
        Test = test;
        Validation = validation;
        Report = report;
        BinarizeThreshold = binarizeThreshold;
        if (fitUsers is not null)
        {
            int previous = -1;
            foreach (int u in fitUsers)
            {
                if (u <= previous || u >= users.Count) throw new ArgumentException($"fit users must be ascending user indices below {users.Count}", nameof(fitUsers));
                previous = u;
            }
        }
        FitUsers = fitUsers;
    }

    /// <summary>A short name, such as the data folder's name.</summary>
    public string Name { get; }

    /// <summary>A human description: where the data came from (or that it is synthetic) and how it was split.</summary>
    public string Description { get; }

    /// <summary>Whether the data were generated rather than read.</summary>
    public bool IsSynthetic { get; }

    /// <summary>The original user ids by dense index.</summary>
    public IdMap Users { get; }

    /// <summary>The original item ids by dense index.</summary>
    public IdMap Items { get; }

    /// <summary>Number of users (the size of the user index space).</summary>
    public int NumUsers => Users.Count;

    /// <summary>Number of items (the size of the item index space).</summary>
    public int NumItems => Items.Count;

    /// <summary>The training interactions (binarised to implicit 1s when a threshold was given).</summary>
    public Interactions Train { get; }

    /// <summary>The test interactions (ratings kept, when the source had them).</summary>
    public Interactions Test { get; }

    /// <summary>The validation interactions, if any (ratings kept, when the source had them).</summary>
    public Interactions? Validation { get; }

    /// <summary>The counts of what loading and splitting kept, merged and dropped.</summary>
    public SplitReport Report { get; }

    /// <summary>
    /// The rating threshold the training data were binarised with, or null. Test and validation ratings were kept,
    /// so an evaluator can count as relevant only held-out rows rated at least this much.
    /// </summary>
    public float? BinarizeThreshold { get; }

    /// <summary>Item feature vectors aligned with <see cref="Items"/> (VBPR, AMR), or null.</summary>
    public Features.ItemFeatures? ItemFeatures { get; private init; }

    /// <summary>The same dataset with <paramref name="features"/> attached (one row per item of <see cref="Items"/>).</summary>
    public Dataset WithItemFeatures(Features.ItemFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.NumItems != NumItems)
            throw new ArgumentException($"the features have {features.NumItems} rows but the dataset has {NumItems} items", nameof(features));
        return new Dataset(Name, Description, IsSynthetic, Users, Items, Train, Test, Validation, Report, BinarizeThreshold, FitUsers) { ItemFeatures = features };
    }

    /// <summary>
    /// The users whose training rows a model may fit on (ascending indices), or null for all. Set by strong
    /// generalisation (<see cref="StrongGeneralizationSplitter"/>): the other users with training rows are held-out
    /// users whose rows in <see cref="Train"/> are their fold-in input, to score them from, not to fit on. Models that
    /// can fold in new users honour it; models with one parameter per user fit on all of <see cref="Train"/>.
    /// </summary>
    public IReadOnlyList<int>? FitUsers { get; }

    private static void CheckShape(Interactions part, string label, IdMap users, IdMap items)
    {
        if (part.NumUsers != users.Count || part.NumItems != items.Count)
        {
            throw new ArgumentException(
                $"{label} interactions are {part.NumUsers} users × {part.NumItems} items, but the id maps hold {users.Count} users and {items.Count} items");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Description}";
}
