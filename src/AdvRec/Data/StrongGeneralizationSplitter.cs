using System.Globalization;
using AdvRec.Kernels;

namespace AdvRec.Data;

/// <summary>
/// Strong generalisation (Liang et al., "Variational Autoencoders for Collaborative Filtering", WWW 2018): a seeded
/// random set of users is held out for testing (and, with validation, a second set for validation); every row of the
/// other users stays in training, and each held-out user's rows are split at random (or, with <see cref="ByTime"/>,
/// by time: the latest rows are held out, as in the SVAE notebook) into a fold-in part (the input a model scores the
/// user from; kept in the training part, so the evaluator never ranks those items) and a held-out part of
/// <c>floor(TestRatio × rows)</c> rows (at least one; the paper's 20 %) to predict.
/// <para>
/// <see cref="SplitResult.FitUsers"/> names the training users: models that can fold in new users (Mult-VAE/DAE, EASE,
/// CDAE without its user node, user-based AutoRec) fit on those users' rows only and score the held-out users from
/// their fold-in rows; a model that cannot fold in (BPR-MF, with one embedding per user) fits on every training row,
/// the fold-in rows included. Only users with at least two rows can be held out. The held-out users are drawn from a
/// stream of the seed of their own (a Fisher–Yates shuffle of the eligible users, as Liang's permutation), so the
/// choice does not depend on row order. A splitter keeps the current split's choice between calls: do not share one
/// instance between concurrent <see cref="Splitter.Split"/> calls.
/// </para>
/// </summary>
public sealed class StrongGeneralizationSplitter : Splitter
{
    private byte[] _group = [];

    /// <summary>
    /// Creates the splitter. <paramref name="testUsers"/> (and <paramref name="validationUsers"/>): a share of the users
    /// in (0, 1) or a count (1 or more, a whole number; the paper holds out 10,000 ML-20M users for each);
    /// <paramref name="testRatio"/>: the share of a held-out user's rows to predict, in (0, 1), the latest ones with
    /// <paramref name="byTime"/> (ties: the later row in the input), else random ones. Validation users are drawn only
    /// when <paramref name="validation"/> is set.
    /// </summary>
    public StrongGeneralizationSplitter(double testUsers = 0.1, double testRatio = 0.2, bool validation = false, double? validationUsers = null, bool byTime = false)
        : base(validation)
    {
        CheckUsers(testUsers, nameof(testUsers));
        if (validationUsers is { } v) CheckUsers(v, nameof(validationUsers));
        if (!(testRatio > 0 && testRatio < 1)) throw new ArgumentOutOfRangeException(nameof(testRatio), testRatio, "the held-out share of a user's rows must lie strictly between 0 and 1");
        TestUsers = testUsers;
        ValidationUsers = validationUsers ?? testUsers;
        TestRatio = testRatio;
        ByTime = byTime;
    }

    /// <summary>Test users: a share of the users in (0, 1), or a count.</summary>
    public double TestUsers { get; }

    /// <summary>Validation users (used with validation): a share of the users in (0, 1), or a count.</summary>
    public double ValidationUsers { get; }

    /// <summary>The share of each held-out user's rows to predict (the rest is the fold-in input).</summary>
    public double TestRatio { get; }

    /// <summary>Whether a held-out user's latest rows are predicted (and the earlier ones folded in) rather than random ones.</summary>
    public bool ByTime { get; }

    /// <inheritdoc/>
    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"strong generalisation: {Users(TestUsers)} held-out test users{(Validation ? $" and {Users(ValidationUsers)} validation users" : "")}, {(ByTime ? "the latest " : "")}{TestRatio:0.###} of each held-out user's rows to predict, the rest folded in");

    /// <inheritdoc/>
    public override bool NeedsTimestamps => ByTime;

    /// <summary>How many of <paramref name="active"/> users a share or count <paramref name="users"/> means.</summary>
    public static int UserCount(double users, int active) => users < 1 ? (int)Math.Round(users * active, MidpointRounding.AwayFromZero) : (int)users;

    private static string Users(double users) => users < 1 ? string.Create(CultureInfo.InvariantCulture, $"{users:P0}") : string.Create(CultureInfo.InvariantCulture, $"{users:0}");

    private static void CheckUsers(double users, string name)
    {
        if (!(users > 0) || (users >= 1 && users != Math.Floor(users)) || !double.IsFinite(users))
            throw new ArgumentOutOfRangeException(name, users, "held-out users must be a share in (0, 1) or a whole count of at least 1");
    }

    private protected override void Prepare(int[] rowCounts, ulong seed)
    {
        var eligible = new List<int>();
        int active = 0;
        for (int u = 0; u < rowCounts.Length; u++)
        {
            if (rowCounts[u] > 0) active++;
            if (rowCounts[u] >= 2) eligible.Add(u);
        }
        int test = UserCount(TestUsers, active);
        int validation = Validation ? UserCount(ValidationUsers, active) : 0;
        if (test < 1) throw new ArgumentException($"{Description}: {TestUsers} of {active} users is no user at all; hold out more users");
        if (test + validation > eligible.Count - 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{Description}: {test} test + {validation} validation users were asked for, but only {eligible.Count} users have the two or more rows a held-out user needs, and at least one must stay a training user"));
        }
        var order = eligible.ToArray();
        var rng = Xoshiro.Derive(seed, ulong.MaxValue, 7);
        rng.Shuffle(order.AsSpan());
        _group = new byte[rowCounts.Length];
        for (int k = 0; k < test; k++) _group[order[k]] = TestGroup;
        for (int k = test; k < test + validation; k++) _group[order[k]] = ValidationGroup;
    }

    private protected override int HoldOut(int user, Span<int> rows, long[] timestamps, ref Xoshiro rng) =>
        _group[user] == TestGroup ? HoldOut(rows, timestamps, ref rng) : 0;

    private protected override int HoldOutValidation(int user, Span<int> rows, long[] timestamps, ref Xoshiro rng) =>
        _group[user] == ValidationGroup ? HoldOut(rows, timestamps, ref rng) : 0;

    private protected override bool HoldsOutTestRows(int user) => _group[user] == TestGroup;

    private protected override IReadOnlyList<string>? FitUsers(InteractionLog log)
    {
        var fit = new List<string>();
        for (int u = 0; u < _group.Length; u++)
            if (_group[u] == TrainGroup) fit.Add(log.Users[u]);
        return fit;
    }

    private protected override int HoldOut(Span<int> rows, long[] timestamps, ref Xoshiro rng)
    {
        int count = Math.Clamp((int)Math.Floor(TestRatio * rows.Length), 1, rows.Length - 1);
        if (ByTime) SortByTime(rows, timestamps);
        else MoveRandomToEnd(rows, count, ref rng);
        return count;
    }

    private const byte TrainGroup = 0, TestGroup = 1, ValidationGroup = 2;
}
