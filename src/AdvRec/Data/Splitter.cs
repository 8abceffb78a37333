using AdvRec.Kernels;

namespace AdvRec.Data;

/// <summary>
/// Splits an <see cref="InteractionLog"/> per user into training, test and (optionally) validation rows, the
/// protocol of Elliot and RecBole. Duplicated (user, item) rows are merged first (latest timestamp wins, else the
/// later row), so no pair lands in two parts. A user always keeps at least one row in training: users with a single
/// interaction (or too few for the split to hold any out) stay in training only and are counted in
/// <see cref="SplitResult.UsersOnlyInTrain"/>. The validation part, when asked for, is carved out of each user's
/// training rows by the same rule. Randomness comes from the seed only: user u draws from the stream
/// <c>Xoshiro.Derive(seed, u, part)</c>, so a split is reproducible and independent of row order elsewhere.
/// </summary>
public abstract class Splitter
{
    private protected Splitter(bool validation) => Validation = validation;

    /// <summary>Whether a validation part is carved out of the training part the same way as the test part.</summary>
    public bool Validation { get; }

    /// <summary>A one-line description, such as "leave-1-out by time".</summary>
    public abstract string Description { get; }

    /// <summary>Whether this split orders rows by time (and so needs timestamps).</summary>
    public abstract bool NeedsTimestamps { get; }

    /// <inheritdoc/>
    public override string ToString() => Validation ? Description + " (+ validation carved from training the same way)" : Description;

    /// <summary>Leave-one-out: each user's latest row (<paramref name="byTime"/>; ties: the later row in the input) or a random row is the test row.</summary>
    public static LeaveNOutSplitter LeaveOneOut(bool byTime = true, bool validation = false) => new(1, byTime, validation);

    /// <summary>
    /// Splits <paramref name="log"/>. The parts are new logs with their own id maps, holding the ids of their rows in
    /// order of first appearance in <paramref name="log"/>; users of <paramref name="log"/> that have no rows at all
    /// (a user-only line of an adjacency file) stay in the training part's map.
    /// </summary>
    /// <exception cref="DataFormatException">The split orders by time but the log has no timestamps.</exception>
    public SplitResult Split(InteractionLog log, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (NeedsTimestamps && !log.HasTimestamps)
        {
            throw new DataFormatException(log.Source, 0,
                $"{Description} needs timestamps, but the data have none (rows `user item [rating]` or the adjacency format); " +
                "split at random instead (for example leave-one-out at random) or add a timestamp column");
        }

        int n = log.Count, numUsers = log.Users.Count;
        var users = log.UserIndices;
        var items = log.ItemIndices;
        var times = log.Timestamps;

        // Rows grouped by user (stable counting sort), then sorted by (item, time, row) to find duplicates.
        var start = new int[numUsers + 1];
        foreach (int u in users) start[u + 1]++;
        for (int u = 0; u < numUsers; u++) start[u + 1] += start[u];
        var rows = new int[n];
        var fill = start[..numUsers];
        for (int k = 0; k < n; k++) rows[fill[users[k]]++] = k;

        var rowCounts = new int[numUsers];
        for (int u = 0; u < numUsers; u++) rowCounts[u] = start[u + 1] - start[u];
        Prepare(rowCounts, seed);
        var part = new SplitPart[n];
        int duplicates = 0, onlyInTrain = 0;
        var itemArr = items.ToArray();
        long[] timeArr = times.ToArray();
        var kept = new List<int>();
        for (int u = 0; u < numUsers; u++)
        {
            var row = rows.AsSpan(start[u], start[u + 1] - start[u]);
            if (row.Length == 0) continue;
            row.Sort((a, b) =>
            {
                int c = itemArr[a].CompareTo(itemArr[b]);
                if (c != 0) return c;
                if (timeArr.Length > 0 && (c = timeArr[a].CompareTo(timeArr[b])) != 0) return c;
                return a.CompareTo(b);
            });
            int m = 0;
            for (int r = 0; r < row.Length; r++)
            {
                if (r + 1 < row.Length && itemArr[row[r + 1]] == itemArr[row[r]])
                {
                    part[row[r]] = SplitPart.Merged;
                    duplicates++;
                    continue;
                }
                row[m++] = row[r];
            }
            var unique = row[..m];
            unique.Sort(); // input order

            var rng = Xoshiro.Derive(seed, (ulong)u, 0);
            int test = unique.Length > 1 ? HoldOut(u, unique, timeArr, ref rng) : 0;
            if (test <= 0 && HoldsOutTestRows(u)) onlyInTrain++;
            test = Math.Clamp(test, 0, unique.Length - 1);
            foreach (int k in unique[^test..]) part[k] = SplitPart.Test;
            if (Validation)
            {
                var train = unique[..^test];
                train.Sort();
                var vrng = Xoshiro.Derive(seed, (ulong)u, 1);
                int val = train.Length > 1 ? Math.Clamp(HoldOutValidation(u, train, timeArr, ref vrng), 0, train.Length - 1) : 0;
                foreach (int k in train[^val..]) part[k] = SplitPart.Validation;
            }
        }

        return new SplitResult
        {
            Train = Subset(log, part, SplitPart.Train, keepUsersWithoutRows: true),
            Test = Subset(log, part, SplitPart.Test, keepUsersWithoutRows: false),
            Validation = Validation ? Subset(log, part, SplitPart.Validation, keepUsersWithoutRows: false) : null,
            DuplicatesMerged = duplicates,
            UsersOnlyInTrain = onlyInTrain,
            FitUsers = FitUsers(log),
        };
    }

    /// <summary>Called once per split before any user is split, with each user's number of rows (duplicates included).</summary>
    private protected virtual void Prepare(int[] rowCounts, ulong seed)
    {
    }

    /// <summary>The held-out test rows of <paramref name="user"/> (see <see cref="HoldOut(Span{int}, long[], ref Xoshiro)"/>); by default the same rule for every user.</summary>
    private protected virtual int HoldOut(int user, Span<int> rows, long[] timestamps, ref Xoshiro rng) => HoldOut(rows, timestamps, ref rng);

    /// <summary>The validation rows carved out of <paramref name="user"/>'s training rows; by default the test rule.</summary>
    private protected virtual int HoldOutValidation(int user, Span<int> rows, long[] timestamps, ref Xoshiro rng) => HoldOut(rows, timestamps, ref rng);

    /// <summary>Whether the split means to hold test rows out of <paramref name="user"/> (a user it cannot is counted in <see cref="SplitResult.UsersOnlyInTrain"/>).</summary>
    private protected virtual bool HoldsOutTestRows(int user) => true;

    /// <summary>The ids of the users a model may fit on, or null for all (see <see cref="SplitResult.FitUsers"/>).</summary>
    private protected virtual IReadOnlyList<string>? FitUsers(InteractionLog log) => null;

    /// <summary>
    /// Chooses the held-out rows of one user: reorders <paramref name="rows"/> (row indices of the log in input
    /// order, at least two) so that the held-out rows come last, and returns how many (less than rows.Length).
    /// </summary>
    private protected abstract int HoldOut(Span<int> rows, long[] timestamps, ref Xoshiro rng);

    /// <summary>Sorts rows by (timestamp, row index): the latest row is last, ties broken by the later input row.</summary>
    private protected static void SortByTime(Span<int> rows, long[] timestamps) =>
        rows.Sort((a, b) =>
        {
            int c = timestamps[a].CompareTo(timestamps[b]);
            return c != 0 ? c : a.CompareTo(b);
        });

    /// <summary>Moves <paramref name="count"/> rows chosen uniformly at random to the end (partial Fisher–Yates).</summary>
    private protected static void MoveRandomToEnd(Span<int> rows, int count, ref Xoshiro rng)
    {
        for (int i = rows.Length - 1; i >= rows.Length - count; i--)
        {
            int j = rng.NextInt(i + 1);
            (rows[i], rows[j]) = (rows[j], rows[i]);
        }
    }

    private static InteractionLog Subset(InteractionLog log, SplitPart[] part, SplitPart which, bool keepUsersWithoutRows)
    {
        var srcUsers = log.UserIndices;
        var srcItems = log.ItemIndices;
        var hasRows = new bool[log.Users.Count];
        var userUsed = new bool[log.Users.Count];
        var itemUsed = new bool[log.Items.Count];
        int count = 0;
        for (int k = 0; k < log.Count; k++)
        {
            hasRows[srcUsers[k]] = true;
            if (part[k] != which) continue;
            userUsed[srcUsers[k]] = true;
            itemUsed[srcItems[k]] = true;
            count++;
        }
        var users = new IdMap();
        var userMap = new int[log.Users.Count];
        for (int u = 0; u < userMap.Length; u++)
            userMap[u] = userUsed[u] || (keepUsersWithoutRows && !hasRows[u]) ? users.GetOrAdd(log.Users[u]) : -1;
        var items = new IdMap();
        var itemMap = new int[log.Items.Count];
        for (int i = 0; i < itemMap.Length; i++) itemMap[i] = itemUsed[i] ? items.GetOrAdd(log.Items[i]) : -1;

        var outUsers = new int[count];
        var outItems = new int[count];
        var ratings = log.HasRatings ? new float[count] : null;
        var times = log.HasTimestamps ? new long[count] : null;
        int o = 0;
        for (int k = 0; k < log.Count; k++)
        {
            if (part[k] != which) continue;
            outUsers[o] = userMap[srcUsers[k]];
            outItems[o] = itemMap[srcItems[k]];
            if (ratings is not null) ratings[o] = log.Ratings[k];
            if (times is not null) times[o] = log.Timestamps[k];
            o++;
        }
        return new InteractionLog(log.Source, users, items, outUsers, outItems, ratings, times) { Format = log.Format };
    }

    private enum SplitPart : byte
    {
        Train,
        Test,
        Validation,
        Merged,
    }
}
