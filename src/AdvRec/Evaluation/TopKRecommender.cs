using System.Buffers;
using AdvRec.Data;
using AdvRec.Kernels;

namespace AdvRec.Evaluation;

/// <summary>
/// Top-K recommendation lists from any <see cref="IRecommender"/>: scores blocks of users in parallel and
/// keeps each user's k best items that are not in the user's excluded row (normally the training
/// interactions), with <see cref="TopK.Select"/>: best first, ties by the smaller item index.
/// </summary>
public static class TopKRecommender
{
    /// <summary>
    /// The top-<paramref name="k"/> list of each user of <paramref name="users"/> (all users when null), in
    /// that order. A list is shorter than k when the user has fewer than k items left after exclusion.
    /// </summary>
    /// <param name="model">The model to score with.</param>
    /// <param name="k">List length, 1 to the number of items.</param>
    /// <param name="exclude">Items never to recommend, per user (the training data); null excludes nothing.</param>
    /// <param name="users">The users to recommend for (distinct dense indices); null means every user.</param>
    /// <param name="userBlockSize">Users scored per <see cref="IRecommender.Score"/> call.</param>
    /// <param name="maxDegreeOfParallelism">Worker threads; null means one per core.</param>
    /// <param name="progress">Receives "recommend" progress in users.</param>
    /// <param name="cancellationToken">Stops the work between blocks.</param>
    /// <exception cref="ArgumentException">k is out of range, or the shapes of the model and <paramref name="exclude"/> differ.</exception>
    public static RecommendationLists Recommend(IRecommender model, int k, Interactions? exclude = null,
        IReadOnlyList<int>? users = null, int userBlockSize = 512, int? maxDegreeOfParallelism = null,
        IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        int numItems = model.NumItems, numUsers = model.NumUsers;
        if (k < 1) throw new ArgumentException($"the list length k = {k} must be at least 1", nameof(k));
        if (k > numItems)
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"the list length k = {k} is larger than the catalogue ({numItems:N0} items)"), nameof(k));
        if (exclude is not null && (exclude.NumUsers != numUsers || exclude.NumItems != numItems))
            throw new ArgumentException(
                $"the model has {numUsers} users × {numItems} items but the excluded interactions have {exclude.NumUsers} × {exclude.NumItems}", nameof(exclude));
        ArgumentOutOfRangeException.ThrowIfLessThan(userBlockSize, 1);
        if (maxDegreeOfParallelism is < 1) throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "must be at least 1");

        int[] userList = new int[users?.Count ?? numUsers];
        for (int r = 0; r < userList.Length; r++)
        {
            int u = users is null ? r : users[r];
            if ((uint)u >= (uint)numUsers) throw new ArgumentException($"user {u} outside [0, {numUsers})", nameof(users));
            userList[r] = u;
        }

        int count = userList.Length;
        var topItems = new int[(long)count * k > int.MaxValue ? throw new ArgumentException("too many users × k for one result", nameof(k)) : count * k];
        var topScores = new float[topItems.Length];
        var lengths = new int[count];
        int block = Math.Min(userBlockSize, Math.Max(1, count));
        int blocks = (count + block - 1) / block;
        int workers = Math.Max(1, Math.Min(maxDegreeOfParallelism ?? Environment.ProcessorCount, blocks));
        int nextBlock = -1;
        long done = 0;
        progress?.Report(new ProgressUpdate("recommend", 0, count));

        ParallelWorkers.Run(workers, cancellationToken, () =>
        {
            float[] buffer = ArrayPool<float>.Shared.Rent(block * numItems);
            try
            {
                int b;
                while ((b = Interlocked.Increment(ref nextBlock)) < blocks)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int first = b * block;
                    int rows = Math.Min(block, count - first);
                    ReadOnlySpan<int> blockUsers = userList.AsSpan(first, rows);
                    model.Score(blockUsers, buffer.AsSpan(0, rows * numItems));
                    for (int r = 0; r < rows; r++)
                    {
                        int u = blockUsers[r];
                        int at = (first + r) * k;
                        lengths[first + r] = TopK.Select(buffer.AsSpan(r * numItems, numItems),
                            exclude is null ? default : exclude.ItemsOf(u), k, topItems.AsSpan(at, k), topScores.AsSpan(at, k));
                    }
                    long total = Interlocked.Add(ref done, rows);
                    progress?.Report(new ProgressUpdate("recommend", total, count));
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        });

        // Compact the fixed-stride rows into CSR form.
        var rowPtr = new int[count + 1];
        for (int r = 0; r < count; r++) rowPtr[r + 1] = rowPtr[r] + lengths[r];
        var items = new int[rowPtr[count]];
        var scores = new float[rowPtr[count]];
        for (int r = 0; r < count; r++)
        {
            topItems.AsSpan(r * k, lengths[r]).CopyTo(items.AsSpan(rowPtr[r]));
            topScores.AsSpan(r * k, lengths[r]).CopyTo(scores.AsSpan(rowPtr[r]));
        }
        return new RecommendationLists(numUsers, numItems, userList, rowPtr, items, scores);
    }
}
