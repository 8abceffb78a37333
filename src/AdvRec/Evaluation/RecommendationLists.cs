namespace AdvRec.Evaluation;

/// <summary>
/// Ranked recommendation lists for a set of users, in dense index space, stored CSR-style: list l belongs to
/// user <see cref="UserOf"/>(l) and holds <see cref="ItemsOf"/>(l) with <see cref="ScoresOf"/>(l). Every list
/// is ordered by score descending, ties by the smaller item index, and the position in the list is the rank.
/// Each user has at most one list. Immutable. Produced by <see cref="TopKRecommender"/> and
/// <see cref="RecommendationFile.Read"/>, evaluated by <see cref="RankingEvaluator.Evaluate(RecommendationLists)"/>.
/// </summary>
public sealed class RecommendationLists
{
    private readonly int[] _users;
    private readonly int[] _rowPtr;
    private readonly int[] _items;
    private readonly float[] _scores;
    private readonly int[] _listOfUser;

    /// <summary>
    /// Builds the lists from copies of the given arrays: the items of list l (user <paramref name="users"/>[l])
    /// are at [<paramref name="rowPointers"/>[l], <paramref name="rowPointers"/>[l + 1]) of
    /// <paramref name="items"/> and <paramref name="scores"/>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A user or item is out of range, a user has two lists, an item appears twice in a list, a score is NaN,
    /// a list is not ordered by score descending (ties by item ascending), or the row pointers are inconsistent.
    /// </exception>
    public RecommendationLists(int numUsers, int numItems, ReadOnlySpan<int> users, ReadOnlySpan<int> rowPointers,
        ReadOnlySpan<int> items, ReadOnlySpan<float> scores)
        : this(numUsers, numItems, users.ToArray(), rowPointers.ToArray(), items.ToArray(), scores.ToArray())
    {
    }

    /// <summary>Takes ownership of the arrays (no copy) and validates them.</summary>
    internal RecommendationLists(int numUsers, int numItems, int[] users, int[] rowPointers, int[] items, float[] scores)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numUsers);
        ArgumentOutOfRangeException.ThrowIfNegative(numItems);
        if (rowPointers.Length != users.Length + 1)
            throw new ArgumentException($"{rowPointers.Length} row pointers for {users.Length} lists (expected {users.Length + 1})", nameof(rowPointers));
        if (scores.Length != items.Length)
            throw new ArgumentException($"{scores.Length} scores for {items.Length} items", nameof(scores));
        if (rowPointers[0] != 0 || rowPointers[^1] != items.Length)
            throw new ArgumentException($"row pointers must start at 0 and end at {items.Length}", nameof(rowPointers));

        var listOfUser = new int[numUsers];
        Array.Fill(listOfUser, -1);
        var seen = new int[numItems];
        Array.Fill(seen, -1);
        for (int l = 0; l < users.Length; l++)
        {
            int u = users[l];
            if ((uint)u >= (uint)numUsers) throw new ArgumentException($"list {l}: user {u} outside [0, {numUsers})", nameof(users));
            if (listOfUser[u] >= 0) throw new ArgumentException($"user {u} has two lists ({listOfUser[u]} and {l})", nameof(users));
            listOfUser[u] = l;
            int start = rowPointers[l], end = rowPointers[l + 1];
            if (end < start) throw new ArgumentException($"row pointers decrease at list {l}", nameof(rowPointers));
            for (int p = start; p < end; p++)
            {
                int i = items[p];
                float s = scores[p];
                if ((uint)i >= (uint)numItems) throw new ArgumentException($"user {u}: item {i} outside [0, {numItems})", nameof(items));
                if (float.IsNaN(s)) throw new ArgumentException($"user {u}: item {i} has a NaN score", nameof(scores));
                if (seen[i] == l) throw new ArgumentException($"user {u}: item {i} appears twice in the list", nameof(items));
                seen[i] = l;
                if (p > start && (s > scores[p - 1] || (s == scores[p - 1] && i < items[p - 1])))
                    throw new ArgumentException(
                        $"user {u}: the list is not ordered by score descending, ties by item ascending (position {p - start})", nameof(scores));
            }
        }

        NumUsers = numUsers;
        NumItems = numItems;
        _users = users;
        _rowPtr = rowPointers;
        _items = items;
        _scores = scores;
        _listOfUser = listOfUser;
    }

    /// <summary>Size of the user index space.</summary>
    public int NumUsers { get; }

    /// <summary>Size of the item index space.</summary>
    public int NumItems { get; }

    /// <summary>Number of lists.</summary>
    public int Count => _users.Length;

    /// <summary>The user of each list.</summary>
    public ReadOnlySpan<int> Users => _users;

    /// <summary>The user of list <paramref name="list"/>.</summary>
    public int UserOf(int list) => _users[list];

    /// <summary>The items of list <paramref name="list"/>, best first.</summary>
    public ReadOnlySpan<int> ItemsOf(int list) => _items.AsSpan(_rowPtr[list], _rowPtr[list + 1] - _rowPtr[list]);

    /// <summary>The scores of list <paramref name="list"/>, aligned with <see cref="ItemsOf"/>.</summary>
    public ReadOnlySpan<float> ScoresOf(int list) => _scores.AsSpan(_rowPtr[list], _rowPtr[list + 1] - _rowPtr[list]);

    /// <summary>The list of <paramref name="user"/>, or -1 when the user has none.</summary>
    public int IndexOfUser(int user) => (uint)user < (uint)_listOfUser.Length ? _listOfUser[user] : -1;
}
