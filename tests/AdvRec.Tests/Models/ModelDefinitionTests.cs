using System.Reflection;
using AdvRec.Data;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Models.Factorization;
using AdvRec.Neural;
using AdvRec.Neural.Graph;
using AdvRec.Tests.Experiments;
using AdvRec.Tests.Experiments.Config;

namespace AdvRec.Tests.Models;

/// <summary>
/// The one shape of a model definition (<see cref="ModelDefinition.For{TModel, TOptions}"/>): what a model declares
/// through its options' and its own interfaces, and the study-level settings (epochs, device, seed, threads) that are
/// defined once and applied by the definition and the runner.
/// </summary>
public class ModelDefinitionTests
{
    public static TheoryData<string> Names => [.. NeuralRegistry.All.Keys];

    private static bool Has(Type type, string property, Type propertyType) =>
        type.GetProperty(property, BindingFlags.Public | BindingFlags.Instance) is { } p && p.PropertyType == propertyType;

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryModelDeclaresItsCapabilitiesThroughInterfaces(string name)
    {
        var definition = NeuralRegistry.All[name];
        var options = definition.Schema.Defaults;
        var type = options.GetType();
        // a property that a study setting fills in must come with its interface, or the study would skip it silently
        Assert.Equal(Has(type, "Seed", typeof(ulong)), options is ISeededOptions);
        Assert.Equal(Has(type, "Threads", typeof(int)), options is IThreadedOptions);
        Assert.Equal(Has(type, "Device", typeof(string)), options is IDeviceOptions);
        Assert.Equal(Has(type, "Epochs", typeof(int)), options is IScheduledOptions);
        Assert.Equal(Has(type, "NbIter", typeof(int)), options is IElliotAttackOptions);
        Assert.Equal(Has(type, "AdversarialEpochs", typeof(int?)), options is IAprOptions);
        Assert.Equal(definition.HasAprSchedule, options is IAprOptions);
        Assert.Equal(definition.NeedsItemFeatures, typeof(IItemFeatureModel).IsAssignableFrom(definition.ModelType));
        // every alias declared on the record names a property the binder sets
        foreach (var (alias, property) in definition.Schema.Aliases)
            Assert.True(OptionsBinder.PropertyOf(type, alias, definition.Schema.Aliases) == property, $"{name}: alias {alias} → {property}");
    }

    [Fact]
    public void AliasesAndFilesAreReadFromTheOptionsRecord()
    {
        var amr = ModelRegistry.Models[Amr.ModelName].Schema;
        Assert.Equal(nameof(AmrOptions.LearningRate), amr.Aliases["lr"]);
        Assert.Equal(nameof(AmrOptions.Epsilon), amr.Aliases["eps"]);
        Assert.Equal([nameof(AmrOptions.Pretrained)], amr.Paths);
        var bpr = ModelRegistry.Models[BprMf.ModelName].Schema;
        Assert.Equal(nameof(BprMfOptions.Regularization), bpr.Aliases["positive_item_regularization"]);
        // an inherited declaration counts: the autoencoders' adversarial keys are declared once, on their base record
        var cdae = NeuralRegistry.All["CDAE"].Schema;
        Assert.Equal(nameof(AdversarialTrainingOptions.Epsilon), cdae.Aliases["eps"]);
        Assert.Equal(nameof(AdversarialTrainingOptions.EpsilonScale), cdae.Aliases["eps_scale"]);
    }

    [Fact]
    public void PrepareWritesTheStudysEpochsAndDeviceIntoTheOptionsThatHaveThem()
    {
        var train = TinyData.Random(4, 3, 2, 1);
        var context = new ModelContext(7, train, Device: "cpu");
        var amf = (AmfOptions)ModelRegistry.Models[Amf.ModelName].Prepare(new AmfOptions { Epochs = 2, AdversarialEpochs = 1 }, context);
        Assert.Equal((7, 1), (amf.Epochs, amf.EffectiveAdversarialEpochs));
        var apr = (LightGcnAprOptions)NeuralRegistry.All[LightGcnApr.ModelName].Prepare(new LightGcnAprOptions { Device = "cuda" }, context);
        Assert.Equal((7, "cpu"), (apr.Epochs, apr.Device));
        // options without either are handed on as they are
        var bpr = new BprMfOptions();
        Assert.Same(bpr, ModelRegistry.Models[BprMf.ModelName].Prepare(bpr, context));
        var lightGcn = new LightGcnOptions { Device = "cuda" };
        Assert.Equal("cuda", ((LightGcnOptions)NeuralRegistry.All[LightGcn.ModelName].Prepare(lightGcn, context with { Device = null })).Device);
    }

    [Fact]
    public void TheAprScheduleIsOneShapeForEveryModel()
    {
        IAprOptions[] options =
        [
            new AmfOptions { Epochs = 4, AdversarialEpochs = 2, Epsilon = 0.3f, AdversarialWeight = 2, AdversarialSteps = 3, AdversarialStepSize = 0.2f },
            new LightGcnAprOptions { Epochs = 4, AdversarialEpochs = 2, Epsilon = 0.3f, AdversarialWeight = 2, AdversarialSteps = 3, AdversarialStepSize = 0.2f },
            new AdvRec.Neural.Autoencoders.CdaeOptions { Epochs = 4, AdversarialEpochs = 2, Epsilon = 0.3f, AdversarialWeight = 2, AdversarialSteps = 3, AdversarialStepSize = 0.2f },
        ];
        foreach (var o in options)
        {
            Assert.Null(AdversarialStep.Next(o, 1));
            var step = AdversarialStep.Next(o, 2);
            Assert.Equal(new AdversarialStep(0.3f, 2) { Steps = 3, StepSize = 0.2f }, step);
        }
        Assert.Equal(2.5f * 0.5f / 4, new AdversarialStep(0.5f, 1) { Steps = 4 }.EffectiveStepSize);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => AdversarialStep.Validate((IAprOptions)new AmfOptions { AdversarialSteps = 0 }));
        Assert.Contains("adversarial_steps must be >= 1", ex.Message);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => new AmrOptions { AdversarialSteps = 2 }.Validate());
        Assert.Contains("adversarial_steps must be 1 for AMR", ex.Message);
    }

    private static string Model(string name, string meta, string hyperparameters) =>
        $"    {name}:\n      meta:\n{meta}      hyperparameters:\n{hyperparameters}";

    [Fact]
    public void RandomSeedSeedsEveryModelThatDoesNotSetItsOwn()
    {
        using var dir = new TempDirectory();
        var created = new List<object>();
        var models = ModelRegistry.Models.ToDictionary(kv => kv.Key, kv => kv.Value with
        {
            Build = (o, c) =>
            {
                created.Add(o);
                return kv.Value.Build(o, c);
            },
        }, StringComparer.OrdinalIgnoreCase);
        string yaml = TinyVisualStudy.Yaml(
            Model("BPR-MF", "        epochs: 1\n", "        factors: 4\n") +
            Model("AMF", "        epochs: 2\n", "        factors: 4\n        seed: 3\n") +
            "    MostPop:\n      meta:\n        epochs: 1\n",
            extra: "  random_seed: 7\n");
        var study = ConfigTestSupport.Load(dir, yaml, schemas: ModelRegistry.SchemasOf(models));
        StudyRunner.Run(study, new StudyRunOptions(dir.File("out")) { Models = models });
        Assert.Equal(7UL, ((BprMfOptions)created[0]).Seed);
        Assert.Equal(3UL, ((AmfOptions)created[1]).Seed); // its own seed wins
        Assert.Equal(2, ((AmfOptions)created[1]).Epochs); // and the study's epochs are in its options
        Assert.Same(study.Models[2].Variants[0].Options, created[2]); // MostPop has no seed: untouched
        Assert.Equal(42UL, ((BprMfOptions)study.Models[0].Variants[0].Options).Seed); // the loaded config is not changed
    }

    [Theory]
    [InlineData("        epochs: 4\n", "        epochs: 5\n", "models.AMF: epochs is given twice, here (5) and as meta.epochs (4")]
    [InlineData("        epochs: 4\n", "", null)]
    [InlineData("        epochs: 4\n", "        epochs: 4\n", null)]
    public void EpochsAreDeclaredOnce(string meta, string hyperparameters, string? error)
    {
        using var dir = new TempDirectory();
        string yaml = TinyVisualStudy.Yaml(Model("AMF", meta, "        factors: 4\n" + hyperparameters));
        if (error is null)
        {
            var study = ConfigTestSupport.Load(dir, yaml, schemas: ModelRegistry.Schemas);
            Assert.Equal(4, ((AmfOptions)study.Models[0].Variants[0].Options).Epochs);
            Assert.Equal(4, study.Models[0].Meta.Epochs);
            return;
        }
        var ex = Assert.Throws<ConfigException>(() => ConfigTestSupport.Load(dir, yaml, schemas: ModelRegistry.Schemas));
        Assert.Contains(error, ex.Message);
    }

    [Fact]
    public void MetaEpochsBesideAGridOverEpochsIsAnError()
    {
        using var dir = new TempDirectory();
        string yaml = TinyVisualStudy.Yaml("    AMF:\n      meta:\n        epochs: 4\n      grid:\n        epochs: [2, 4]\n");
        var ex = Assert.Throws<ConfigException>(() => ConfigTestSupport.Load(dir, yaml, schemas: ModelRegistry.Schemas));
        Assert.Contains("models.AMF.meta.epochs: the grid searches epochs too; keep one", ex.Message);
    }
}
