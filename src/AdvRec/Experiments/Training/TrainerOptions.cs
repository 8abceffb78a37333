using AdvRec.Adversarial;
using AdvRec.Evaluation;

namespace AdvRec.Experiments.Training;

/// <summary>How <see cref="Trainer"/> drives a model (Elliot's <c>epochs</c> and <c>meta</c> block).</summary>
public sealed record TrainerOptions
{
    /// <summary>Epochs to train.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Validate every this many epochs (Elliot's validation_rate); the last epoch is always validated.</summary>
    public int ValidationRate { get; init; } = 1;

    /// <summary>The metric that selects the best epoch on the validation split (Elliot's validation_metric).</summary>
    public MetricKey ValidationMetric { get; init; } = new(RankingMetric.Ndcg, 10);

    /// <summary>Stop after this many validations without improvement of the monitored value (null: never stop early).</summary>
    public int? Patience { get; init; }

    /// <summary>What early stopping watches: a metric on the validation split (null: <see cref="ValidationMetric"/>), unless <see cref="MonitorLoss"/>.</summary>
    public MetricKey? Monitor { get; init; }

    /// <summary>Early stopping watches the training loss (lower is better) instead of a validation metric.</summary>
    public bool MonitorLoss { get; init; }

    /// <summary>At each validation, also evaluate clean, FGSM and MSAP on validation and test (Elliot's eval_perturbations).</summary>
    public bool EvalPerturbations { get; init; }

    /// <summary>Budget, steps, step size, projection and targets of the eval_perturbations attacks (in a study, the study's: see <see cref="StudyAttack"/>).</summary>
    public AttackOptions Attack { get; init; } = new();

    /// <summary>Seed of the attacks' loss samples.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Checks the values; the message names the offending one.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "epochs must be >= 1");
        if (ValidationRate < 1) throw new ArgumentOutOfRangeException(nameof(ValidationRate), ValidationRate, "validation_rate must be >= 1");
        if (Patience is < 1) throw new ArgumentOutOfRangeException(nameof(Patience), Patience, "patience must be >= 1");
        Attack.Validate();
    }
}
