using AdvRec.Adversarial;
using AdvRec.Data;

namespace AdvRec.Models;

/// <summary>
/// A model a study can build from its config: its name, its options schema, how to build it and read it back, and the
/// contract suite's tiny options. Every model is built the same way, from its options record and a
/// <see cref="ModelContext"/>, through <see cref="For{TModel, TOptions}"/>; what differs between models is declared
/// as capabilities, not as flags: the options' interfaces (<see cref="IAprOptions"/>, <see cref="IElliotAttackOptions"/>,
/// <see cref="IScheduledOptions"/>, <see cref="IDeviceOptions"/>, <see cref="IThreadedOptions"/>,
/// <see cref="ISeededOptions"/>) and the model's (<see cref="IItemFeatureModel"/>, <see cref="IPersistentModel"/>).
/// </summary>
public sealed record ModelDefinition
{
    private ModelDefinition(string name, ModelSchema schema, Type modelType, Func<object, ModelContext, IIterativeModel> build, string? featureTarget)
    {
        Name = name;
        Schema = schema;
        ModelType = modelType;
        Build = build;
        FeatureTarget = featureTarget;
    }

    /// <summary>
    /// The definition of <typeparamref name="TModel"/> under <paramref name="name"/> (the paper's name, as in configs and
    /// outputs): <paramref name="create"/> builds it from bound options and the study's context, which has already
    /// written the study's epochs and device into the options (<see cref="Create"/>). <paramref name="schema"/> defaults
    /// to the schema of <c>new TOptions()</c>.
    /// </summary>
    public static ModelDefinition For<TModel, TOptions>(string name, Func<TOptions, ModelContext, TModel> create, ModelSchema? schema = null)
        where TModel : IIterativeModel, IPersistentModel
        where TOptions : class, new()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        schema ??= new ModelSchema(new TOptions());
        if (schema.Defaults is not TOptions) throw new ArgumentException($"{name}'s schema holds {schema.Defaults.GetType().Name}, not {typeof(TOptions).Name}", nameof(schema));
        string? featureTarget = typeof(IItemFeatureModel).IsAssignableFrom(typeof(TModel)) ? IItemFeatureModel.FeatureTarget : null;
        return new ModelDefinition(name, schema, typeof(TModel), (o, c) => create((TOptions)o, c), featureTarget);
    }

    /// <summary>The paper's name, as in configs and outputs.</summary>
    public string Name { get; init; }

    /// <summary>Default options record, config aliases and Elliot's names.</summary>
    public ModelSchema Schema { get; }

    /// <summary>The model's class.</summary>
    public Type ModelType { get; }

    /// <summary>The perturbation target of the item features for a model that reads them (<see cref="IItemFeatureModel"/>); null otherwise.</summary>
    public string? FeatureTarget { get; }

    /// <summary>Whether the study's data must carry item features (checked before any training).</summary>
    public bool NeedsItemFeatures => FeatureTarget is not null;

    /// <summary>Whether the model has an adversarial-training schedule (its options are <see cref="IAprOptions"/>).</summary>
    public bool HasAprSchedule => Schema.Defaults is IAprOptions;

    /// <summary>
    /// Builds a model from bound <paramref name="options"/> (of the schema's type) and the study's
    /// <paramref name="context"/>, through <see cref="Prepare"/>.
    /// </summary>
    public IIterativeModel Create(object options, ModelContext context) => Build(Prepare(options, context), context);

    /// <summary>
    /// Builds the model from prepared options (<see cref="Prepare"/>); what <see cref="For{TModel, TOptions}"/> was given,
    /// replaceable to wrap or observe the models a study builds.
    /// </summary>
    public Func<object, ModelContext, IIterativeModel> Build { get; init; }

    /// <summary>
    /// <paramref name="options"/> as the model gets them in <paramref name="context"/>: options with a schedule take the
    /// context's epochs (<see cref="IScheduledOptions"/>), options with a device take its device when it sets one
    /// (<see cref="IDeviceOptions"/>).
    /// </summary>
    public object Prepare(object options, ModelContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        if (options is IScheduledOptions scheduled && scheduled.Epochs != context.Epochs)
            options = OptionsRecord.With(options, nameof(IScheduledOptions.Epochs), context.Epochs);
        if (options is IDeviceOptions device && context.Device is { } name && device.Device != name)
            options = OptionsRecord.With(options, nameof(IDeviceOptions.Device), name);
        return options;
    }

    /// <summary>The epochs that bound options declare themselves (<see cref="IScheduledOptions"/>), or null.</summary>
    public static int? DeclaredEpochs(object options) => (options as IScheduledOptions)?.Epochs;

    /// <summary>
    /// The eval_perturbations attack a model's own options give (used only when the study sets no attack budget): Elliot's
    /// <c>eps</c>, <c>nb_iter</c>, <c>eps_iter</c> for <see cref="IElliotAttackOptions"/>, the defaults otherwise; on the
    /// item features for a model that reads them.
    /// </summary>
    public AttackOptions Attack(object options)
    {
        var targets = FeatureTarget is { } t ? new[] { t } : null;
        return options is IElliotAttackOptions e
            ? new AttackOptions { Epsilon = e.Epsilon, Steps = e.NbIter, StepSize = e.EpsIter, Targets = targets }
            : new AttackOptions { Targets = targets };
    }

    /// <summary>Writes a model built by this definition (<see cref="IPersistentModel.Save"/>).</summary>
    public void Save(IIterativeModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not IPersistentModel persistent) throw new ArgumentException($"{model.GetType().Name} cannot be saved: it does not implement IPersistentModel", nameof(model));
        persistent.Save(path);
    }

    /// <summary>
    /// Checks bound options against the study's data before any training (such as AMR's pre-trained file): the problem,
    /// or null when there is none; null for models with nothing to check.
    /// </summary>
    public Func<object, Dataset, OptionsProblem?>? Check { get; init; }

    /// <summary>
    /// The native engine the model runs on, whose process-wide thread count a study's <c>threads</c> caps for the run;
    /// null for managed models, which take the count through their options (<see cref="IThreadedOptions"/>).
    /// </summary>
    public EngineThreads? EngineThreads { get; init; }

    /// <summary>
    /// Reads a file written by <see cref="Save"/> back into a model built on the context's data (the options come from
    /// the file's header), which scores as the saved model did; null only for a model that cannot be read back (the
    /// contract suite fails it).
    /// </summary>
    public Func<string, ModelContext, IIterativeModel>? Load { get; init; }

    /// <summary>Tiny options and data for the contract suite, declared beside the model; a model without it fails the suite.</summary>
    public ModelContract? Contract { get; init; }
}

/// <summary>A problem that bound options have with the study's data, found before training.</summary>
/// <param name="Key">The hyperparameter at fault, in snake_case (such as <c>pretrained</c>); errors point at its value.</param>
/// <param name="Message">What is wrong, naming any file involved.</param>
public sealed record OptionsProblem(string Key, string Message);

/// <summary>
/// What a model is built from in a study.
/// </summary>
/// <param name="Epochs">Epochs the study will train.</param>
/// <param name="Train">The training interactions.</param>
/// <param name="Data">The whole dataset (ids, splits, side information), when the model is built by a study.</param>
/// <param name="Log">Where the model reports choices worth a line in run.log (a device, a memory estimate).</param>
/// <param name="Device">A device that overrides the models' own <c>device</c> option (<c>cpu</c>, <c>cuda</c>, <c>auto</c>); null keeps theirs.</param>
public sealed record ModelContext(int Epochs, Interactions Train, Dataset? Data = null, Action<string>? Log = null, string? Device = null)
{
    /// <summary>The study's item features, or an error naming <paramref name="model"/> and how to give them.</summary>
    public Data.Features.ItemFeatures ItemFeaturesFor(string model) => Data?.ItemFeatures ??
        throw new InvalidOperationException($"{model} needs item features: add data_config.item_features or a side_information VisualAttribute block (or use strategy synthetic_visual)");
}
