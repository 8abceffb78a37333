namespace AdvRec.Models;

/// <summary>
/// A scoring view of a model with a perturbation added, made by <see cref="IPerturbable.WithPerturbation"/>. The view
/// owns what it made for the perturbed parameters (copies of the tables; native tensors for TorchSharp models):
/// dispose it when done. Disposing a view never disposes the model it was made from.
/// </summary>
public interface IPerturbedView : IRecommender, IDisposable
{
}

/// <summary>
/// The view of a model that a perturbation cannot change (nothing to perturb): it scores with the model itself and
/// holds nothing, so disposing it does nothing (and leaves the model alone).
/// </summary>
/// <param name="model">The model whose scores the view returns.</param>
public sealed class UnchangedView(IRecommender model) : IPerturbedView
{
    /// <summary>The model the view scores with.</summary>
    public IRecommender Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <inheritdoc />
    public int NumUsers => Model.NumUsers;

    /// <inheritdoc />
    public int NumItems => Model.NumItems;

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> users, Span<float> scores) => Model.Score(users, scores);

    /// <summary>Does nothing: the view holds nothing of its own, and the model is not the view's to dispose.</summary>
    public void Dispose()
    {
    }
}
