namespace AdvRec.Experiments.Config;

/// <summary>Finds the nearest valid name to a misspelt one (Levenshtein distance, case-insensitive), for "did you mean" hints.</summary>
public static class NearestName
{
    /// <summary>The edit distance (insertions, deletions, substitutions) between two strings, compared case-insensitively.</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        a = a.ToUpperInvariant();
        b = b.ToUpperInvariant();
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    /// <summary>
    /// The candidate nearest to <paramref name="name"/> when it is near enough (distance at most 3, or at most a
    /// third of the name's length); ties go to the earlier candidate. Null when none is near.
    /// </summary>
    public static string? Find(string name, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(candidates);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string c in candidates)
        {
            int d = Distance(name, c);
            if (d < bestDistance)
            {
                best = c;
                bestDistance = d;
            }
        }
        return best is not null && (bestDistance <= 3 || bestDistance <= name.Length / 3) ? best : null;
    }

    /// <summary>"; did you mean 'x'?" for the nearest candidate, else "; valid: a, b, c" (or "" with no candidates).</summary>
    public static string Hint(string name, IEnumerable<string> candidates)
    {
        var list = candidates.Distinct(StringComparer.Ordinal).ToList();
        string? near = Find(name, list);
        if (near is not null) return $"; did you mean '{near}'?";
        return list.Count == 0 ? "" : "; valid: " + string.Join(", ", list);
    }
}
