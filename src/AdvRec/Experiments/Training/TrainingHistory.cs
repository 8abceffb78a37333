using AdvRec.Adversarial;
using AdvRec.Models;

namespace AdvRec.Experiments.Training;

/// <summary>One trained epoch: its statistics, whether it was adversarial, and its validation value if it was validated.</summary>
/// <param name="Stats">Loss, adversarial loss, steps and time.</param>
/// <param name="Adversarial">Whether the epoch trained with APR.</param>
/// <param name="Validation">The validation metric after this epoch (null when not validated).</param>
public sealed record EpochRecord(EpochStats Stats, bool Adversarial, double? Validation);

/// <summary>What <see cref="Trainer.Train"/> did.</summary>
/// <param name="Epochs">Every trained epoch, in order.</param>
/// <param name="BestEpoch">The 1-based epoch whose weights the model holds at the end (selected on validation; the last epoch without a validation split).</param>
/// <param name="BestValidation">The validation value of that epoch (null without a validation split).</param>
/// <param name="SelectedOnValidation">False when there was no validation split and the last epoch was kept.</param>
/// <param name="StoppedEarly">Whether early stopping ended training before the last epoch.</param>
/// <param name="PerturbationColumns">Column names of the eval_perturbations tables (empty when off).</param>
/// <param name="ValidationPerturbations">eval_perturbations rows on the validation split.</param>
/// <param name="TestPerturbations">eval_perturbations rows on the test split.</param>
public sealed record TrainingHistory(
    IReadOnlyList<EpochRecord> Epochs,
    int BestEpoch,
    double? BestValidation,
    bool SelectedOnValidation,
    bool StoppedEarly,
    IReadOnlyList<string> PerturbationColumns,
    IReadOnlyList<IReadOnlyList<string>> ValidationPerturbations,
    IReadOnlyList<IReadOnlyList<string>> TestPerturbations)
{
    /// <summary>The attack of the eval_perturbations tables (budget, steps, step size, projection, targets); null when they are off.</summary>
    public AttackOptions? PerturbationAttack { get; init; }
}
