using AdvRec.Data;

namespace AdvRec.Evaluation;

/// <summary>
/// A model that predicts explicit ratings (AutoRec, DeepRec, the rating baselines). Its
/// <see cref="IRecommender.Score"/> is the predicted rating itself, unclipped (so it also ranks); the evaluator's
/// RMSE and MAE read those scores clipped to <see cref="MinRating"/>..<see cref="MaxRating"/>, which is what
/// <see cref="PredictRatings"/> returns.
/// </summary>
public interface IRatingPredictor : IRecommender
{
    /// <summary>The lowest rating of the scale (the training data's lowest rating).</summary>
    float MinRating { get; }

    /// <summary>The highest rating of the scale (the training data's highest rating).</summary>
    float MaxRating { get; }

    /// <summary>
    /// Predicts the rating of each pair (<paramref name="users"/>[k], <paramref name="items"/>[k]) into
    /// <paramref name="ratings"/>[k], clipped to the rating scale. Pairs of the same user should be adjacent (each run
    /// of one user is scored once).
    /// </summary>
    void PredictRatings(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> ratings);
}

/// <summary>Helpers for rating prediction: checks of explicit data, predictions from scores, and the error metrics.</summary>
public static class RatingPrediction
{
    /// <summary>
    /// Checks that <paramref name="train"/> holds explicit ratings that an explicit-rating model can learn: ratings
    /// are stored and not all equal (binarised data reads as all 1s). The message names <paramref name="model"/> and
    /// <paramref name="dataset"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The data are implicit or binarised.</exception>
    public static (float Min, float Max) RequireExplicit(Interactions train, string model, string? dataset = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        string where = dataset is null ? "the training data" : $"the training data of '{dataset}'";
        if (train.Count == 0) throw new ArgumentException($"{model} needs explicit ratings, but {where} is empty", nameof(train));
        if (!train.HasRatings)
            throw new ArgumentException($"{model} predicts explicit ratings, but {where} has no ratings (implicit data); give it a file with a rating column", nameof(train));
        var (min, max) = Range(train);
        if (min == max)
            throw new ArgumentException(FormattableString.Invariant(
                $"{model} predicts explicit ratings, but every rating in {where} is {min} (binarised or implicit data); remove 'binarize' from the study or use a ranking model"), nameof(train));
        return (min, max);
    }

    /// <summary>The lowest and highest stored rating of <paramref name="data"/> ((1, 1) without ratings or rows).</summary>
    public static (float Min, float Max) Range(Interactions data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.HasRatings || data.Count == 0) return (1f, 1f);
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (int u = 0; u < data.NumUsers; u++)
        {
            foreach (float r in data.RatingsOf(u))
            {
                if (r < min) min = r;
                if (r > max) max = r;
            }
        }
        return (min, max);
    }

    /// <summary>
    /// <see cref="IRatingPredictor.PredictRatings"/> for a model whose scores are its ratings: scores each run of
    /// adjacent pairs of one user once and clips the picked scores to [<paramref name="min"/>, <paramref name="max"/>].
    /// </summary>
    public static void FromScores(IRecommender model, float min, float max, ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> ratings)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (users.Length != items.Length || ratings.Length < users.Length) throw new ArgumentException("users, items and ratings must have the same length");
        var row = new float[model.NumItems];
        int start = 0;
        while (start < users.Length)
        {
            int user = users[start], end = start + 1;
            while (end < users.Length && users[end] == user) end++;
            model.Score([user], row);
            for (int k = start; k < end; k++) ratings[k] = Math.Clamp(row[items[k]], min, max);
            start = end;
        }
    }

    /// <summary>RMSE and MAE of <paramref name="predicted"/> against <paramref name="actual"/> (NaN for no pairs).</summary>
    public static (double Rmse, double Mae) Errors(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        if (predicted.Length != actual.Length) throw new ArgumentException("predicted and actual ratings must have the same length");
        if (predicted.Length == 0) return (double.NaN, double.NaN);
        double squared = 0, absolute = 0;
        for (int k = 0; k < predicted.Length; k++)
        {
            double e = (double)predicted[k] - actual[k];
            squared += e * e;
            absolute += Math.Abs(e);
        }
        return (Math.Sqrt(squared / predicted.Length), absolute / predicted.Length);
    }
}
