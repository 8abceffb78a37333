namespace AdvRec.Data;

/// <summary>What one prefiltering step did.</summary>
/// <param name="Step">The step.</param>
/// <param name="RowsBefore">Rows before the step.</param>
/// <param name="RowsAfter">Rows after the step.</param>
/// <param name="Rounds">Rounds run (1 except for <see cref="IterativeKCorePrefilter"/>).</param>
/// <param name="Stable">Whether the step's result is stable (false when an iterative k-core stopped at its round limit while still removing rows).</param>
/// <param name="Threshold">The rating threshold applied by a <see cref="GlobalThresholdPrefilter"/> (the mean when it asked for the average); null for other steps.</param>
public sealed record PrefilterReport(PrefilterStep Step, int RowsBefore, int RowsAfter, int Rounds, bool Stable, float? Threshold)
{
    /// <summary>Rows removed by the step.</summary>
    public int RowsRemoved => RowsBefore - RowsAfter;
}

/// <summary>The filtered log and what each step removed.</summary>
/// <param name="Log">The filtered log.</param>
/// <param name="Steps">One report per step, in order.</param>
public sealed record PrefilterResult(InteractionLog Log, IReadOnlyList<PrefilterReport> Steps);

/// <summary>
/// Applies prefiltering steps (Elliot's <c>prefiltering</c>) to an <see cref="InteractionLog"/> before splitting.
/// The result is a new log holding the surviving rows in input order, with their ratings and timestamps; its id
/// maps hold only the ids of surviving users and items, in order of first appearance among the surviving rows
/// (so dropped users and items are gone from the maps too, and never become candidates at evaluation; a user
/// without any row, such as a user-only line of an adjacency file, is dropped as well).
/// </summary>
public static class Prefilter
{
    /// <summary>Applies <paramref name="steps"/> in order.</summary>
    public static PrefilterResult Apply(InteractionLog log, IEnumerable<PrefilterStep> steps)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(steps);
        var alive = new bool[log.Count];
        Array.Fill(alive, true);
        int count = log.Count;
        var reports = new List<PrefilterReport>();
        foreach (var step in steps)
        {
            ArgumentNullException.ThrowIfNull(step);
            step.Validate();
            int before = count;
            int rounds = 1;
            bool stable = true;
            float? threshold = null;
            switch (step)
            {
                case GlobalThresholdPrefilter g:
                    threshold = g.Threshold ?? Mean(log, alive);
                    count -= KeepRatingsAtLeast(log, alive, threshold.Value);
                    break;
                case UserKCorePrefilter u:
                    count -= KCore(log.UserIndices, log.Users.Count, alive, u.Core);
                    break;
                case ItemKCorePrefilter i:
                    count -= KCore(log.ItemIndices, log.Items.Count, alive, i.Core);
                    break;
                case IterativeKCorePrefilter k:
                    rounds = 0;
                    stable = false;
                    while (rounds < k.MaxRounds)
                    {
                        rounds++;
                        int removed = KCore(log.UserIndices, log.Users.Count, alive, k.Core);
                        removed += KCore(log.ItemIndices, log.Items.Count, alive, k.Core);
                        count -= removed;
                        if (removed == 0)
                        {
                            stable = true;
                            break;
                        }
                    }
                    if (!stable) stable = KCoreHolds(log.UserIndices, log.Users.Count, alive, k.Core) && KCoreHolds(log.ItemIndices, log.Items.Count, alive, k.Core);
                    break;
                case UserAveragePrefilter:
                    count -= KeepRatingsAtLeastUserMean(log, alive);
                    break;
                case ColdUsersPrefilter c:
                    count -= KeepColdUsers(log, alive, c.Threshold);
                    break;
                default:
                    throw new ArgumentException($"unsupported prefilter step {step.GetType().Name}", nameof(steps));
            }
            reports.Add(new PrefilterReport(step, before, count, rounds, stable, threshold));
        }
        return new PrefilterResult(Subset(log, alive, count), reports);
    }

    private static float Mean(InteractionLog log, bool[] alive)
    {
        if (!log.HasRatings) return 1f;
        var ratings = log.Ratings;
        double sum = 0;
        long n = 0;
        for (int k = 0; k < alive.Length; k++)
        {
            if (!alive[k]) continue;
            sum += ratings[k];
            n++;
        }
        return n == 0 ? 0f : (float)(sum / n);
    }

    private static int KeepRatingsAtLeast(InteractionLog log, bool[] alive, float threshold)
    {
        int removed = 0;
        var ratings = log.Ratings;
        for (int k = 0; k < alive.Length; k++)
        {
            if (!alive[k]) continue;
            float r = log.HasRatings ? ratings[k] : 1f;
            if (!(r >= threshold))
            {
                alive[k] = false;
                removed++;
            }
        }
        return removed;
    }

    /// <summary>Removes the rows rated below their user's mean rating (over the user's live rows); a log without ratings keeps every row.</summary>
    private static int KeepRatingsAtLeastUserMean(InteractionLog log, bool[] alive)
    {
        if (!log.HasRatings) return 0;
        var users = log.UserIndices;
        var ratings = log.Ratings;
        var sum = new double[log.Users.Count];
        var n = new int[log.Users.Count];
        for (int k = 0; k < alive.Length; k++)
        {
            if (!alive[k]) continue;
            sum[users[k]] += ratings[k];
            n[users[k]]++;
        }
        int removed = 0;
        for (int k = 0; k < alive.Length; k++)
        {
            if (alive[k] && ratings[k] < sum[users[k]] / n[users[k]])
            {
                alive[k] = false;
                removed++;
            }
        }
        return removed;
    }

    /// <summary>Removes the rows of users with more than <paramref name="threshold"/> live rows.</summary>
    private static int KeepColdUsers(InteractionLog log, bool[] alive, int threshold)
    {
        var counts = Counts(log.UserIndices, log.Users.Count, alive);
        var users = log.UserIndices;
        int removed = 0;
        for (int k = 0; k < alive.Length; k++)
        {
            if (alive[k] && counts[users[k]] > threshold)
            {
                alive[k] = false;
                removed++;
            }
        }
        return removed;
    }

    private static int[] Counts(ReadOnlySpan<int> keys, int size, bool[] alive)
    {
        var counts = new int[size];
        for (int k = 0; k < alive.Length; k++)
        {
            if (alive[k]) counts[keys[k]]++;
        }
        return counts;
    }

    /// <summary>Removes the rows whose key (user or item) has fewer than <paramref name="core"/> live rows; returns how many.</summary>
    private static int KCore(ReadOnlySpan<int> keys, int size, bool[] alive, int core)
    {
        var counts = Counts(keys, size, alive);
        int removed = 0;
        for (int k = 0; k < alive.Length; k++)
        {
            if (alive[k] && counts[keys[k]] < core)
            {
                alive[k] = false;
                removed++;
            }
        }
        return removed;
    }

    private static bool KCoreHolds(ReadOnlySpan<int> keys, int size, bool[] alive, int core)
    {
        var counts = Counts(keys, size, alive);
        for (int k = 0; k < alive.Length; k++)
        {
            if (alive[k] && counts[keys[k]] < core) return false;
        }
        return true;
    }

    private static InteractionLog Subset(InteractionLog log, bool[] alive, int count)
    {
        var users = new IdMap();
        var items = new IdMap();
        var u = new int[count];
        var i = new int[count];
        var ratings = log.HasRatings ? new float[count] : null;
        var times = log.HasTimestamps ? new long[count] : null;
        var srcUsers = log.UserIndices;
        var srcItems = log.ItemIndices;
        var srcRatings = log.Ratings;
        var srcTimes = log.Timestamps;
        int m = 0;
        for (int k = 0; k < alive.Length; k++)
        {
            if (!alive[k]) continue;
            u[m] = users.GetOrAdd(log.Users[srcUsers[k]]);
            i[m] = items.GetOrAdd(log.Items[srcItems[k]]);
            if (ratings is not null) ratings[m] = srcRatings[k];
            if (times is not null) times[m] = srcTimes[k];
            m++;
        }
        return new InteractionLog(log.Source, users, items, u, i, ratings, times) { Format = log.Format };
    }
}
