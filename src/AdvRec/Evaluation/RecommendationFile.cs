using System.Globalization;
using AdvRec.Data;
using AdvRec.IO;

namespace AdvRec.Evaluation;

/// <summary>
/// Recommendation files: one line per recommended item, <c>user item score</c>, with the ORIGINAL ids of
/// the dataset's <see cref="IdMap"/>s (Elliot's format). Written with tabs; read with tab, comma or space
/// (runs of spaces) separators.
/// </summary>
public static class RecommendationFile
{
    /// <summary>
    /// Writes <paramref name="lists"/> as <c>userId \t itemId \t score</c> lines (lists in order, items best
    /// first; scores in the shortest form that reads back exactly; UTF-8, "\n" line ends). The file is written
    /// under a temporary name in the same folder and then moved into place (<see cref="AtomicFile"/>), so no
    /// half-written file is ever left at <paramref name="path"/>. The folder must exist.
    /// </summary>
    /// <exception cref="ArgumentException">The id maps are smaller than the index spaces of the lists.</exception>
    public static void Write(string path, RecommendationLists lists, IdMap users, IdMap items)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        if (users.Count < lists.NumUsers) throw new ArgumentException($"the user map has {users.Count} ids for {lists.NumUsers} users", nameof(users));
        if (items.Count < lists.NumItems) throw new ArgumentException($"the item map has {items.Count} ids for {lists.NumItems} items", nameof(items));

        AtomicFile.WriteText(path, writer =>
        {
            writer.NewLine = "\n";
            for (int l = 0; l < lists.Count; l++)
            {
                string user = users[lists.UserOf(l)];
                ReadOnlySpan<int> listItems = lists.ItemsOf(l);
                ReadOnlySpan<float> scores = lists.ScoresOf(l);
                for (int p = 0; p < listItems.Length; p++)
                {
                    writer.Write(user);
                    writer.Write('\t');
                    writer.Write(items[listItems[p]]);
                    writer.Write('\t');
                    writer.Write(scores[p].ToString("R", CultureInfo.InvariantCulture));
                    writer.Write('\n');
                }
            }
        });
    }

    /// <summary>
    /// Reads a recommendation file produced by any tool: lines <c>user item score</c> separated by tabs,
    /// commas or spaces (further fields are ignored; blank lines are skipped; there is no header line). Ids
    /// are mapped through <paramref name="users"/> and <paramref name="items"/> without adding new ones.
    /// Each user's items are ordered by score descending; on equal scores the smaller item index comes
    /// first (a file carries no information to break ties against the model, so the pessimistic rule of the
    /// evaluator cannot apply here). The lists are returned in ascending user order.
    /// </summary>
    /// <exception cref="DataFormatException">
    /// A line has fewer than three fields, an unknown user or item id, or a score that is not a number (NaN
    /// included), or it repeats an item for the same user; the message names the file and the line.
    /// </exception>
    public static RecommendationLists Read(string path, IdMap users, IdMap items)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);

        var rowUsers = new List<int>();
        var rowItems = new List<int>();
        var rowScores = new List<float>();
        var rowLines = new List<int>();
        int lineNo = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNo++;
            string line = raw.Trim();
            if (line.Length == 0) continue;
            string[] fields = line.Contains('\t') ? line.Split('\t', StringSplitOptions.TrimEntries)
                : line.Contains(',') ? line.Split(',', StringSplitOptions.TrimEntries)
                : line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3)
                throw new DataFormatException(path, lineNo, $"expected 'user item score' separated by tabs, commas or spaces, found {fields.Length} field(s)");
            if (!users.TryGetIndex(fields[0], out int u))
                throw new DataFormatException(path, lineNo, $"unknown user id '{fields[0]}' (not in the dataset)");
            if (!items.TryGetIndex(fields[1], out int i))
                throw new DataFormatException(path, lineNo, $"unknown item id '{fields[1]}' (not in the dataset)");
            if (!float.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out float s) || float.IsNaN(s))
                throw new DataFormatException(path, lineNo, $"score '{fields[2]}' is not a number");
            rowUsers.Add(u);
            rowItems.Add(i);
            rowScores.Add(s);
            rowLines.Add(lineNo);
        }

        // Group by user (counting sort, stable), then order each list.
        int numUsers = users.Count, numItems = items.Count, n = rowUsers.Count;
        var start = new int[numUsers + 1];
        foreach (int u in rowUsers) start[u + 1]++;
        for (int u = 0; u < numUsers; u++) start[u + 1] += start[u];
        var fill = (int[])start.Clone();
        var order = new int[n];
        for (int r = 0; r < n; r++) order[fill[rowUsers[r]]++] = r;

        int listCount = 0;
        for (int u = 0; u < numUsers; u++) if (start[u + 1] > start[u]) listCount++;
        var listUsers = new int[listCount];
        var rowPtr = new int[listCount + 1];
        var outItems = new int[n];
        var outScores = new float[n];
        var seenAt = new int[numItems];
        Array.Fill(seenAt, -1);
        int l = 0;
        for (int u = 0; u < numUsers; u++)
        {
            var rows = order.AsSpan(start[u], start[u + 1] - start[u]);
            if (rows.IsEmpty) continue;
            foreach (int r in rows)
            {
                int i = rowItems[r];
                if (seenAt[i] >= 0 && rowUsers[seenAt[i]] == u)
                    throw new DataFormatException(path, rowLines[r], $"item '{items[i]}' is listed twice for user '{users[u]}' (first on line {rowLines[seenAt[i]]})");
                seenAt[i] = r;
            }
            rows.Sort((a, b) =>
            {
                int c = rowScores[b].CompareTo(rowScores[a]);
                return c != 0 ? c : rowItems[a].CompareTo(rowItems[b]);
            });
            listUsers[l] = u;
            for (int p = 0; p < rows.Length; p++)
            {
                outItems[start[u] + p] = rowItems[rows[p]];
                outScores[start[u] + p] = rowScores[rows[p]];
            }
            rowPtr[l + 1] = start[u + 1];
            l++;
        }
        return new RecommendationLists(numUsers, numItems, listUsers, rowPtr, outItems, outScores);
    }
}
