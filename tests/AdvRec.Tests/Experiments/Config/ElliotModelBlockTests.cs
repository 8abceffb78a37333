using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Models.Factorization;
using AdvRec.Neural;
using AdvRec.Neural.Autoencoders;
using static AdvRec.Tests.Experiments.Config.ConfigTestSupport;

namespace AdvRec.Tests.Experiments.Config;

/// <summary>The model blocks of Elliot's study files: its names, hyperparameters beside meta, its grid rule and meta keys.</summary>
public sealed class ElliotModelBlockTests
{
    private static readonly IReadOnlyDictionary<string, ModelSchema> All = ModelRegistry.SchemasOf(NeuralRegistry.All);

    // Minimal's models start on line 8 (the 'models:' key is line 7)
    private static StudyConfig LoadModels(TempDirectory dir, string models, string extra = "", IEnumerable<string>? overrides = null) =>
        Load(dir, Minimal(dir, models, extra), overrides, All);

    private static ConfigException FailModels(TempDirectory dir, string models, string extra = "") =>
        LoadFails(dir, Minimal(dir, models, extra), schemas: All);

    [Fact]
    public void ElliotsAmfBlockBindsWithItsHyperparametersBesideMeta()
    {
        using var dir = new TempDirectory();
        var study = LoadModels(dir,
            "    AMF:\n      meta:\n        save_recs: True\n        eval_perturbations: True\n      epochs: 10\n      batch_size: 512\n" +
            "      factors: 200\n      lr: 0.001\n      l_w: 0.1\n      l_b: 0.001\n      eps: 0.1\n      l_adv: 0.001\n" +
            "      adversarial_epochs: 10\n      nb_iter: 20\n      eps_iter: 0.00001  # If not specified = 2.5*eps/nb_iter\n");
        var amf = Assert.Single(study.Models);
        Assert.True(amf.Meta.SaveRecs);
        Assert.True(amf.Meta.EvalPerturbations);
        Assert.Equal(10, amf.Meta.Epochs); // the study's epochs, which AMF's options (its schedule counts back from them) bind too
        var o = (AmfOptions)Assert.Single(amf.Variants).Options;
        Assert.Equal((10, 10, 512, 200, 20), (o.Epochs, o.AdversarialEpochs, o.BatchSize, o.Factors, o.NbIter));
        Assert.Equal((0.001f, 0.1f, 0.001f, 0.1f, 0.001f, 0.00001f), (o.LearningRate, o.Regularization, o.BiasRegularization, o.Epsilon, o.AdversarialWeight, o.EpsIter));
        Assert.Equal(["epochs", "batch_size", "factors", "lr", "l_w", "l_b", "eps", "l_adv", "adversarial_epochs", "nb_iter", "eps_iter"], amf.Hyperparameters.Keys);
    }

    [Fact]
    public void MixingBothFormsInOneModelIsAnErrorAtTheFirstKeyBesideMeta()
    {
        using var dir = new TempDirectory();
        var ex = FailModels(dir, "    AMF:\n      hyperparameters:\n        eps: 0.5\n      factors: 64\n");
        var error = Assert.Single(ex.Errors);
        Assert.Equal((11, 7), (error.Position.Line, error.Position.Column));
        Assert.Contains("models.AMF: 'factors' is a hyperparameter written directly under the model name (Elliot's form), while 'hyperparameters:' (", error.Message, StringComparison.Ordinal);
        Assert.Contains("study.yml:9:7) holds others; write them all one way", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ElliotsModelNamesAreAliasesAndKeepAdvRecsNames()
    {
        using var dir = new TempDirectory();
        var study = LoadModels(dir, "    BPRMF:\n      factors: 8\n    EASER:\n      l2_norm: 50\n    MultiVAE:\n      latent_dim: 16\n" +
                                    "    MultiDAE: {}\n    ItemAutoRec: {}\n    UserAutoRec: {}\n    MostPop: {}\n    LightGCN: {}\n    VBPR: {}\n    AMR: {}\n");
        Assert.Equal(["BPR-MF", "EASE", "MultVAE", "MultDAE", "I-AutoRec", "U-AutoRec", "MostPop", "LightGCN", "VBPR", "AMR"], study.Models.Select(m => m.Name));
        Assert.Equal(["BPRMF", "EASER", "MultiVAE", "MultiDAE", "ItemAutoRec", "UserAutoRec", "MostPop", "LightGCN", "VBPR", "AMR"], study.Models.Select(m => m.WrittenName));
        Assert.Equal([true, true, true, true, true, true, false, false, false, false], study.Models.Select(m => m.IsAlias));
        Assert.Equal(50, ((EaseOptions)study.Models[1].Variants[0].Options).Lambda);
        Assert.Equal(16, ((MultVaeOptions)study.Models[2].Variants[0].Options).Latent);
        Assert.Equal("BPR-MF", LoadModels(dir, "    bpr-mf: {}\n").Models[0].Name); // AdvRec's names in any case
    }

    [Fact]
    public void ExternalAndUnsupportedModelsGetClearErrors()
    {
        using var dir = new TempDirectory();
        var ex = FailModels(dir, "    external.MSAPMF:\n      eps: 0.5\n    NeuMF:\n      factors: 8\n    BPRM:\n      factors: 8\n");
        Assert.Equal(3, ex.Errors.Count);
        Assert.StartsWith("models.external.MSAPMF: Elliot's external models are Python classes loaded through external_models_path, which AdvRec cannot run", ex.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("; AdvRec's models: BPR-MF, AMF, VBPR, AMR, MostPop", ex.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal((8, 5), (ex.Errors[0].Position.Line, ex.Errors[0].Position.Column));
        Assert.StartsWith("models.NeuMF: Elliot's model 'NeuMF' has no AdvRec counterpart; AdvRec's models: ", ex.Errors[1].Message, StringComparison.Ordinal);
        Assert.Equal(10, ex.Errors[1].Position.Line);
        Assert.Equal("unknown model 'BPRM'; did you mean 'BPRMF'?", ex.Errors[2].Message);
        Assert.Equal(12, ex.Errors[2].Position.Line);
        Assert.Contains("the nearest AdvRec model is 'AMF'", FailModels(dir, "    external.AMFF: {}\n").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAliasAndItsModelInOneStudyAreAnError()
    {
        using var dir = new TempDirectory();
        var ex = FailModels(dir, "    BPR-MF: {}\n    BPRMF: {}\n");
        Assert.Contains("study.yml:9:5: models.BPRMF is BPR-MF, which models.BPR-MF (", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFlatTypoGetsTheNearestKeyAndAKeyOfAnotherModelNamesIt()
    {
        using var dir = new TempDirectory();
        var ex = FailModels(dir, "    BPRMF:\n      factor: 8\n      hyperparameter: {}\n    AMF:\n      factors_d: 20\n      eps: 0.5\n");
        Assert.Equal(3, ex.Errors.Count);
        Assert.Equal("study.yml:9:7: unknown hyperparameter 'factor' for BPRMF (BPR-MF); did you mean 'factors'?", ex.Errors[0].Short());
        Assert.Equal("study.yml:10:7: unknown hyperparameter 'hyperparameter' for BPRMF (BPR-MF); did you mean 'hyperparameters'?", ex.Errors[1].Short());
        Assert.Equal("study.yml:12:7: unknown hyperparameter 'factors_d' for AMF: it is a hyperparameter of VBPR, AMR, not of AMF", ex.Errors[2].Short());

        // the nested form says the same
        ex = FailModels(dir, "    MultiVAE:\n      hyperparameters:\n        factors_d: 20\n");
        Assert.Equal("study.yml:10:9: unknown hyperparameter 'factors_d' for MultiVAE (MultVAE): it is a hyperparameter of VBPR, AMR, not of MultVAE", Assert.Single(ex.Errors).Short());
    }

    [Fact]
    public void AListOfAScalarHyperparameterIsAGridInBothForms()
    {
        using var dir = new TempDirectory();
        var study = LoadModels(dir, "    BPRMF:\n      factors: [8, 16]\n      lr: [0.01, 0.05, 0.1]\n    AMF:\n      hyperparameters:\n        eps: [0.1, 0.5]\n");
        var bpr = study.Models[0];
        Assert.Equal(6, bpr.Variants.Count);
        Assert.Equal(6, bpr.GridSize);
        Assert.Equal(["factors", "lr"], bpr.Grid.Keys);
        Assert.Equal("factors=16, lr=0.1", bpr.Variants[^1].Description);
        Assert.Equal([0.1f, 0.5f], study.Models[1].Variants.Select(v => ((AmfOptions)v.Options).Epsilon));
    }

    [Fact]
    public void AListTypedHyperparameterTakesAListAndItsGridIsAListOfListsOrOfTupleStrings()
    {
        using var dir = new TempDirectory();
        IReadOnlyList<int> Layers(GridPoint<object> p) => ((DeepRecOptions)p.Options).Layers;

        var one = LoadModels(dir, "    DeepRec:\n      layers: [600, 200]\n").Models[0];
        Assert.Equal([600, 200], Layers(Assert.Single(one.Variants)));
        var tuple = LoadModels(dir, "    DeepRec:\n      hidden_layers: \"(600,200)\"\n").Models[0];
        Assert.Equal([600, 200], Layers(Assert.Single(tuple.Variants)));

        var tuples = LoadModels(dir, "    DeepRec:\n      layers: [\"(600,200)\", \"(300, 100, 50)\", \"(64,)\"]\n").Models[0];
        Assert.Equal([[600, 200], [300, 100, 50], [64]], tuples.Variants.Select(Layers));
        Assert.Equal("layers=[600, 200]", tuples.Variants[0].Description);
        var lists = LoadModels(dir, "    DeepRec:\n      hyperparameters:\n        layers: [[600, 200], [128]]\n").Models[0];
        Assert.Equal([[600, 200], [128]], lists.Variants.Select(Layers));
        var explicitGrid = LoadModels(dir, "    DeepRec:\n      grid:\n        layers: [\"(32,16)\", [8]]\n").Models[0];
        Assert.Equal([[32, 16], [8]], explicitGrid.Variants.Select(Layers));
    }

    [Fact]
    public void AHyperoptSearchSpaceIsAnErrorAtItsValue()
    {
        using var dir = new TempDirectory();
        var ex = FailModels(dir, "    BPRMF:\n      lr: [loguniform, -10, -1]\n      factors: [\"quniform(8, 64, 8)\"]\n");
        Assert.Equal(2, ex.Errors.Count);
        Assert.Equal((9, 11), (ex.Errors[0].Position.Line, ex.Errors[0].Position.Column));
        Assert.Contains("models.BPRMF.lr: [loguniform, -10, -1] is a hyperopt search space (loguniform), which Elliot samples with hyper_opt_alg tpe, rand and the like; AdvRec runs grids only", ex.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("(quniform)", ex.Errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HyperOptAlgIsGridAndHyperMaxEvalsTrainsASeededSubsetInGridOrder()
    {
        using var dir = new TempDirectory();
        string models = "    BPRMF:\n      meta:\n        hyper_opt_alg: grid\n        hyper_max_evals: 4\n      factors: [8, 16, 32]\n      lr: [0.01, 0.05]\n";
        var model = LoadModels(dir, models).Models[0];
        Assert.Equal(6, model.GridSize);
        Assert.Equal(4, model.Variants.Count);
        var all = LoadModels(dir, models.Replace("        hyper_max_evals: 4\n", "", StringComparison.Ordinal)).Models[0].Variants.Select(v => v.Description).ToList();
        var chosen = model.Variants.Select(v => v.Description).ToList();
        Assert.Equal(chosen.OrderBy(all.IndexOf), chosen);
        Assert.Equal(chosen, LoadModels(dir, models).Models[0].Variants.Select(v => v.Description)); // same seed, same points
        Assert.Equal(6, LoadModels(dir, models.Replace("hyper_max_evals: 4", "hyper_max_evals: 20", StringComparison.Ordinal)).Models[0].Variants.Count);

        var ex = FailModels(dir, "    BPRMF:\n      meta:\n        hyper_opt_alg: tpe\n      lr: [0.01, 0.05]\n    AMF:\n      meta:\n        hyper_opt_alg: grdi\n        hyper_max_evals: 0\n");
        Assert.Equal(
        [
            "study.yml:10:24: models.BPRMF.meta.hyper_opt_alg: 'tpe' (hyperopt's search) is not implemented: AdvRec runs grids (hyper_opt_alg: grid), every point or a seeded random subset of hyper_max_evals points",
            "study.yml:14:24: models.AMF.meta.hyper_opt_alg: unknown search algorithm 'grdi'; did you mean 'grid'?; AdvRec runs grid",
            "study.yml:15:26: models.AMF.meta.hyper_max_evals: must be at least 1, got 0",
        ], ex.Errors.Select(e => e.Short()));
    }

    [Fact]
    public void ElliotKeysWithoutAPropertyAreConvertedCheckedOrWarned()
    {
        using var dir = new TempDirectory();
        var study = LoadModels(dir,
            "    MultiVAE:\n      dropout_pkeep: 0.8\n    MultiDAE:\n      dropout_pkeep: [1, 0.5]\n" +
            "    BPRMF:\n      user_regularization: 0.0025\n      positive_item_regularization: 0.0025\n      negative_item_regularization: 0.0025\n      update_users: True\n" +
            "    AMR:\n      batch_eval: 128\n      loader: VisualAttributes\n    EASER:\n      neighborhood: -1\n    MostPop:\n      batch_size: 512\n      seed: 7\n");
        Assert.Equal(0.2f, ((MultVaeOptions)study.Models[0].Variants[0].Options).Dropout, 6);
        Assert.Equal([0f, 0.5f], study.Models[1].Variants.Select(v => ((MultDaeOptions)v.Options).Dropout));
        Assert.Equal(0.0025f, ((BprMfOptions)study.Models[2].Variants[0].Options).Regularization);
        Assert.Equal(
        [
            "study.yml:18:7: models.AMR.batch_eval: ignored: it only sizes the blocks of users scored at once; results do not depend on it",
            "study.yml:21:7: models.EASER.neighborhood: ignored: Elliot reads it but never uses it: EASE weighs every item",
            "study.yml:23:7: models.MostPop.batch_size: ignored: the model is fitted in one pass over all the data, not in batches",
            "study.yml:24:7: models.MostPop.seed: ignored: MostPop has no seed",
        ], study.Warnings.Select(w => w.Short()));

        var ex = FailModels(dir, "    BPRMF:\n      update_users: False\n      user_regularization: 0.01\n      negative_item_regularization: 0.001\n    AMR:\n      loader: ItemAttributes\n");
        Assert.Equal(3, ex.Errors.Count);
        Assert.Equal("study.yml:9:21: models.BPRMF.update_users: False is not supported: AdvRec's BPR-MF updates every row a triple touches (update_users: true only)", ex.Errors[0].Short());
        Assert.Contains("study.yml:11:7: 'negative_item_regularization' sets regularization, which 'user_regularization' (", ex.Message, StringComparison.Ordinal);
        Assert.Contains("study.yml:10:7) already sets to another value", ex.Message, StringComparison.Ordinal);
        Assert.Contains("study.yml:13:15: models.AMR.loader: ItemAttributes is not supported", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EpochsBesideMetaIsTheStudysEpochsForModelsWithoutAnEpochsOption()
    {
        using var dir = new TempDirectory();
        var study = LoadModels(dir, "    BPRMF:\n      epochs: 7\n      factors: 8\n    EASER:\n      epochs: 5\n");
        Assert.Equal(7, study.Models[0].Meta.Epochs);
        Assert.DoesNotContain("epochs", study.Models[0].Hyperparameters.Keys);
        Assert.Null(study.Models[1].Meta.Epochs);
        Assert.Contains(study.Warnings, w => w.Message == "models.EASER.epochs: ignored: EASE is fitted in closed form, in one pass");

        var ex = FailModels(dir, "    BPRMF:\n      meta:\n        epochs: 3\n      epochs: 7\n    LightGCN:\n      epochs: [1, 2]\n    MultiVAE:\n      meta:\n        validation_rate: 5\n      epochs: 2\n");
        Assert.Equal(3, ex.Errors.Count);
        Assert.Equal("study.yml:16:26: models.MultiVAE.meta.validation_rate: 5 exceeds epochs = 2", ex.Errors[2].Short());
        Assert.StartsWith("study.yml:11:7: models.BPRMF.epochs: epochs is given twice, here and as meta.epochs (", ex.Errors[0].Short(), StringComparison.Ordinal);
        Assert.EndsWith("study.yml:10:9); keep one", ex.Errors[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("study.yml:13:15: models.LightGCN.epochs: a list of epochs would be a grid, but LightGCN's options have no epochs", ex.Errors[1].Short(), StringComparison.Ordinal);
    }

    [Fact]
    public void EarlyStoppingBesideMetaTakesElliotsKeysWhereTheyChangeNothing()
    {
        using var dir = new TempDirectory();
        const string evaluation = "  evaluation:\n    cutoffs: [10]\n    simple_metrics: [nDCG]\n";
        var study = LoadModels(dir, "    BPRMF:\n      early_stopping:\n        patience: 3\n        monitor: nDCG@10\n        mode: max\n        min_delta: 0\n        verbose: True\n", evaluation);
        var stop = study.Models[0].Meta.EarlyStopping!;
        Assert.Equal(3, stop.Patience);
        Assert.Equal("nDCG@10", stop.Monitor);
        Assert.Contains(study.Warnings, w => w.Short() == "study.yml:17:9: models.BPRMF.early_stopping.verbose: ignored: run.log and the report say when training stopped early");

        var ex = FailModels(dir, "    BPRMF:\n      early_stopping:\n        patience: 3\n        monitor: loss\n        mode: max\n        rel_delta: 0.01\n      meta:\n        early_stopping:\n          patience: 2\n", evaluation);
        Assert.Equal(3, ex.Errors.Count);
        Assert.Contains("models.BPRMF.early_stopping.mode: 'max' contradicts the monitor loss, for which min is better", ex.Message, StringComparison.Ordinal);
        Assert.Contains("models.BPRMF.early_stopping.rel_delta: 0.01 is not supported", ex.Message, StringComparison.Ordinal);
        Assert.Contains("models.BPRMF: early_stopping is given twice, beside meta and in meta; keep one", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RestoreAndOptimizeInternalLossAreErrorsUnlessFalse()
    {
        using var dir = new TempDirectory();
        Assert.Single(LoadModels(dir, "    BPRMF:\n      meta:\n        restore: False\n        optimize_internal_loss: false\n").Models);
        var ex = FailModels(dir, "    BPRMF:\n      meta:\n        restore: True\n        optimize_internal_loss: True\n");
        Assert.Equal(2, ex.Errors.Count);
        Assert.StartsWith("study.yml:10:18: models.BPRMF.meta.restore: True is not supported: AdvRec trains every model", ex.Errors[0].Short(), StringComparison.Ordinal);
        Assert.StartsWith("study.yml:11:33: models.BPRMF.meta.optimize_internal_loss: True is not supported", ex.Errors[1].Short(), StringComparison.Ordinal);
    }

    [Fact]
    public void OverridesFollowTheFormOfTheModelsBlock()
    {
        using var dir = new TempDirectory();
        string models = "    BPRMF:\n      factors: 8\n      lr: [0.01, 0.05]\n    AMF:\n      hyperparameters:\n        eps: 0.5\n";
        var study = LoadModels(dir, models, overrides:
            ["experiment.models.BPRMF.hyperparameters.factors=16", "experiment.models.BPRMF.lr=0.1", "experiment.models.AMF.factors=32", "experiment.models.AMF.grid.eps=[0.1, 1]"]);
        var bpr = (BprMfOptions)Assert.Single(study.Models[0].Variants).Options;
        Assert.Equal((16, 0.1f), (bpr.Factors, bpr.LearningRate));
        Assert.Equal([32, 32], study.Models[1].Variants.Select(v => ((AmfOptions)v.Options).Factors));
        Assert.Equal([0.1f, 1f], study.Models[1].Variants.Select(v => ((AmfOptions)v.Options).Epsilon));
    }

    [Fact]
    public void ARepeatedKeyWithTheSameValueIsAWarningAsInElliotsDocs()
    {
        using var dir = new TempDirectory();
        var study = LoadModels(dir, "    AMR:\n      nb_iter: 20\n      eps_iter: 0.00001\n      nb_iter: 20\n");
        Assert.Equal(20, ((AmrOptions)study.Models[0].Variants[0].Options).NbIter);
        var warning = Assert.Single(study.Warnings).Short();
        Assert.StartsWith("study.yml:11:7: duplicate key 'nb_iter' with the same value as at ", warning, StringComparison.Ordinal);
        Assert.EndsWith("study.yml:9:7 (20); the repeat is ignored", warning, StringComparison.Ordinal);
        var ex = FailModels(dir, "    LightGCN:\n      batch_size: 512\n      batch_size: 256\n");
        var error = Assert.Single(ex.Errors).Short();
        Assert.StartsWith("study.yml:10:7: duplicate key 'batch_size' (first at ", error, StringComparison.Ordinal);
        Assert.EndsWith("study.yml:9:7) with a different value: 512 then 256; keep one", error, StringComparison.Ordinal);
    }
}
