using System.Net;
using System.Text.Json;
using AdvRec.Adversarial;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Models.Factorization;
using AdvRec.Neural;
using AdvRec.Neural.Autoencoders;
using AdvRec.Tests.Experiments.Config;

namespace AdvRec.Tests.Experiments;

/// <summary>
/// The attack of eval_perturbations belongs to the study (issue 15): every model of a study gets the budget of its
/// <c>evaluation</c> block (or of its <c>meta</c>), whatever its own training <c>eps</c>; without one, each falls back to
/// its own Elliot keys or the defaults, and run.log says which budget each table used. Checked on the attack the
/// trainer recorded and on run.log, never by timing.
/// </summary>
public class AttackBudgetTests
{
    // BPR-MF (no eps) and AMF with its own training eps and nb_iter, both with eval_perturbations, one epoch each
    private static string Models(string bprMeta = "", string amfMeta = "") =>
        "    BPR-MF:\n      meta:\n        epochs: 1\n        eval_perturbations: true\n" + bprMeta +
        "      hyperparameters:\n        factors: 4\n" +
        "    AMF:\n      meta:\n        eval_perturbations: true\n" + amfMeta +
        "      hyperparameters:\n        factors: 4\n        epochs: 2\n        adversarial_epochs: 1\n        eps: 0.7\n        nb_iter: 5\n";

    /// <summary>Runs <paramref name="yaml"/>; <paramref name="created"/> receives the options each model was built from.</summary>
    private static (StudyResult Result, string Log) Run(TempDirectory dir, string yaml, List<object>? created = null)
    {
        var models = ModelRegistry.Models.ToDictionary(kv => kv.Key, kv => kv.Value with
        {
            Build = (o, c) =>
            {
                created?.Add(o);
                return kv.Value.Build(o, c);
            },
        }, StringComparer.OrdinalIgnoreCase);
        var study = ConfigTestSupport.Load(dir, yaml, schemas: ModelRegistry.SchemasOf(models));
        var result = StudyRunner.Run(study, new StudyRunOptions(dir.File("out")) { Models = models });
        return (result, File.ReadAllText(Path.Combine(result.OutputFolder, "run.log")));
    }

    private static AttackOptions Recorded(StudyResult result, string model) =>
        Assert.Single(result.Best, b => b.Model == model).History.PerturbationAttack!;

    private static JsonElement Sidecar(StudyResult result, string model) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(result.OutputFolder, "performance", $"adversarial-{model}-attack.json"))).RootElement;

    [Fact]
    public void EveryModelsEvalPerturbationsGetsTheStudysBudgetNotItsOwnEps()
    {
        using var dir = new TempDirectory();
        var created = new List<object>();
        var (result, log) = Run(dir, TinyVisualStudy.Yaml(Models(),
            extra: "  evaluation:\n    cutoffs: [5]\n    eps: 0.3\n    nb_iter: 3\n    robustness:\n      eps: [0.5, 1]\n      nb_iter: 2\n"), created);

        foreach (string model in new[] { "BPR-MF", "AMF" })
        {
            var attack = Recorded(result, model);
            Assert.Equal((0.3f, 3, (float?)null, Projection.L2Ball), (attack.Epsilon, attack.Steps, attack.StepSize, attack.Projection));
            Assert.Equal(AttackBudgetSource.Evaluation, Assert.Single(result.Best, b => b.Model == model).PerturbationAttack!.Source);
            Assert.Contains($"] {model}: eval_perturbations attack eps 0.3, nb_iter 3, eps_iter 0.25 (2.5·eps/nb_iter), projection l2_ball; from evaluation (the study's budget)", log, StringComparison.Ordinal);
            var sidecar = Sidecar(result, model);
            Assert.Equal(0.3, sidecar.GetProperty("eps").GetDouble());
            Assert.Equal(3, sidecar.GetProperty("nb_iter").GetInt32());
            Assert.Equal("evaluation", sidecar.GetProperty("source").GetString());
            // the table keeps its columns
            string header = File.ReadLines(Path.Combine(result.OutputFolder, "performance", $"adversarial-{model}-test.tsv")).First();
            Assert.StartsWith("Epoch\tAdvEpoch\tK\t", header, StringComparison.Ordinal);
        }
        // AMF still trains with its own eps: the study's budget is the attack's only
        Assert.Equal((0.7f, 5), Assert.Single(created.OfType<AmfOptions>()) is var amf ? (amf.Epsilon, amf.NbIter) : default);
        Assert.DoesNotContain("warning: the eval_perturbations tables", log, StringComparison.Ordinal);
        // the sweep has its own attack, evaluation.robustness's, also the same for every model, printed beside its table
        Assert.Contains("] robustness sweep of AMF: eps [0.5, 1], MSAP: nb_iter 2, eps_iter 2.5·eps/nb_iter, projection l2_ball, targets all; from evaluation.robustness", log, StringComparison.Ordinal);
        var sweep = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.OutputFolder, "performance", "robustness-attack.json"))).RootElement;
        Assert.Equal(("msap", 2), (sweep.GetProperty("attack").GetString(), sweep.GetProperty("nb_iter").GetInt32()));
        string report = WebUtility.HtmlDecode(File.ReadAllText(Path.Combine(result.OutputFolder, "report.html")));
        Assert.Contains("eval_perturbations on the test split (clean; SSAP = FGSM at eps 0.3; MSAP): attack eps 0.3, nb_iter 3, eps_iter 0.25 (2.5·eps/nb_iter), projection l2_ball; from evaluation (the study's budget)",
            report, StringComparison.Ordinal);
        Assert.Contains("robustness curves: attack eps [0.5, 1], MSAP: nb_iter 2, eps_iter 2.5·eps/nb_iter, projection l2_ball, targets all; from evaluation.robustness", report, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAStudyBudgetEachModelFallsBackToItsOwnKeysOrTheDefaultsWithAWarning()
    {
        using var dir = new TempDirectory();
        var (result, log) = Run(dir, TinyVisualStudy.Yaml(Models(), extra: "  evaluation:\n    cutoffs: [5]\n"));

        var bpr = Recorded(result, "BPR-MF");
        Assert.Equal((0.5f, 1), (bpr.Epsilon, bpr.Steps)); // the defaults: BPR-MF has no eps
        var amf = Recorded(result, "AMF");
        Assert.Equal((0.7f, 5), (amf.Epsilon, amf.Steps)); // Elliot's behaviour: AMF's own eps and nb_iter
        Assert.Equal("default", Sidecar(result, "BPR-MF").GetProperty("source").GetString());
        Assert.Equal("model_options", Sidecar(result, "AMF").GetProperty("source").GetString());
        Assert.Contains("] BPR-MF: eval_perturbations attack eps 0.5, nb_iter 1, eps_iter 1.25 (2.5·eps/nb_iter), projection l2_ball; from the defaults (the study sets no attack budget and BPR-MF's attack takes none of its options)", log, StringComparison.Ordinal);
        Assert.Contains("] AMF: eval_perturbations attack eps 0.7, nb_iter 5, eps_iter 0.35 (2.5·eps/nb_iter), projection l2_ball; from AMF's own eps, nb_iter, eps_iter (Elliot's keys: the study sets no attack budget)", log, StringComparison.Ordinal);
        string warning = Assert.Single(log.Split('\n'), l => l.Contains("] warning: the eval_perturbations tables do not all use the same attack budget", StringComparison.Ordinal));
        Assert.Contains("BPR-MF: eps 0.5, nb_iter 1,", warning, StringComparison.Ordinal);
        Assert.Contains("AMF: eps 0.7, nb_iter 5,", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelsMetaOverridesTheEvaluationBudgetKeyByKey()
    {
        using var dir = new TempDirectory();
        var (result, log) = Run(dir, TinyVisualStudy.Yaml(Models(amfMeta: "        nb_iter: 2\n        projection: linf_clip\n"),
            extra: "  evaluation:\n    cutoffs: [5]\n    eps: 0.3\n    eps_iter: 0.1\n"));

        var bpr = Recorded(result, "BPR-MF");
        Assert.Equal((0.3f, 1, (float?)0.1f, Projection.L2Ball), (bpr.Epsilon, bpr.Steps, bpr.StepSize, bpr.Projection));
        var amf = Recorded(result, "AMF");
        Assert.Equal((0.3f, 2, (float?)0.1f, Projection.LinfClip), (amf.Epsilon, amf.Steps, amf.StepSize, amf.Projection));
        Assert.Contains("] AMF: eval_perturbations attack eps 0.3, nb_iter 2, eps_iter 0.1, projection linf_clip; from models.AMF.meta over evaluation", log, StringComparison.Ordinal);
        Assert.Contains("] warning: the eval_perturbations tables do not all use the same attack budget", log, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFallbackIsTheModelsOwnOnlyWhenItsAttackReadsItsOptions()
    {
        var amf = ModelRegistry.Models[Amf.ModelName];
        var model = new ModelConfig { Name = Amf.ModelName };
        var noBudget = new EvaluationConfig();
        // AMF's eps and nb_iter at the defaults' very values are still its own
        var options = new AmfOptions { Epsilon = 0.5f, NbIter = 1 };
        var own = StudyAttack.Resolve(noBudget, model, amf, options);
        Assert.Equal((AttackBudgetSource.ModelOptions, 0.5f, 1), (own.Source, own.Attack.Epsilon, own.Attack.Steps));
        // a model that trains with an eps its attack does not read (an adversarially trained autoencoder: its options are
        // IAprOptions, not IElliotAttackOptions) has the defaults
        var cdae = NeuralRegistry.All[Cdae.ModelName];
        var trained = StudyAttack.Resolve(noBudget, new ModelConfig { Name = Cdae.ModelName }, cdae, new CdaeOptions { Epsilon = 2f, AdversarialEpochs = 1 });
        Assert.Equal((AttackBudgetSource.Default, new AttackOptions().Epsilon), (trained.Source, trained.Attack.Epsilon));
        // a study budget wins over both, and keeps the model's targets
        var vbpr = ModelRegistry.Models[Vbpr.ModelName];
        var study = StudyAttack.Resolve(new EvaluationConfig { Attack = new AttackBudgetConfig { Epsilon = 2f } }, new ModelConfig { Name = Vbpr.ModelName }, vbpr, new VbprOptions());
        Assert.Equal((AttackBudgetSource.Evaluation, 2f, 1), (study.Source, study.Attack.Epsilon, study.Attack.Steps));
        Assert.Equal([Vbpr.ItemFeatureVectors], study.Attack.Targets!);
    }

    [Theory]
    [InlineData("  evaluation:\n    eps: -0.5\n", "", "study.yml:8:10: evaluation.eps: expected a number > 0, got '-0.5'")]
    [InlineData("  evaluation:\n    nb_iter: 0\n", "", "study.yml:8:14: evaluation.nb_iter: must be at least 1, got 0")]
    [InlineData("  evaluation:\n    eps_iter: big\n", "", "study.yml:8:15: evaluation.eps_iter: expected a number > 0, got 'big'")]
    [InlineData("  evaluation:\n    projection: l1\n", "", "study.yml:8:17: evaluation.projection: expected one of l2_ball, linf_clip, got 'l1'")]
    [InlineData("", "        eps: 0\n", "study.yml:11:14: models.BPR-MF.meta.eps: expected a number > 0, got '0'")]
    public void ABadBudgetIsAnErrorAtItsFileAndLine(string evaluation, string meta, string expected)
    {
        using var dir = new TempDirectory();
        string yaml = ConfigTestSupport.Minimal(dir, models: "    BPR-MF:\n      meta:\n        eval_perturbations: true\n" + meta, extra: evaluation);
        var e = ConfigTestSupport.LoadFails(dir, yaml, schemas: ModelRegistry.Schemas);
        Assert.Contains(expected, Assert.Single(e.Errors).Short(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheBudgetIsParsedFromEvaluationAndMetaAndAnUnusedOneIsAWarning()
    {
        using var dir = new TempDirectory();
        string yaml = ConfigTestSupport.Minimal(dir, models: "    BPR-MF:\n      meta:\n        nb_iter: 4\n",
            extra: "  evaluation:\n    eps: 1.5\n    eps_iter: 0.2\n    projection: linf_clip\n");
        var study = ConfigTestSupport.Load(dir, yaml, schemas: ModelRegistry.Schemas);
        var budget = study.Evaluation.Attack!;
        Assert.Equal((1.5f, (int?)null, (float?)0.2f, (Projection?)Projection.LinfClip), (budget.Epsilon, budget.Steps, budget.StepSize, budget.Projection));
        Assert.Equal(4, study.Models[0].Meta.Attack!.Steps);
        Assert.Null(study.Models[0].Meta.Attack!.Epsilon);
        // neither is used: BPR-MF has no eval_perturbations
        Assert.Contains(study.Warnings, w => w.Message.StartsWith("evaluation: eps, nb_iter, eps_iter and projection set the eval_perturbations attack, but no model has", StringComparison.Ordinal));
        Assert.Contains(study.Warnings, w => w.Message.StartsWith("models.BPR-MF.meta: eps, nb_iter, eps_iter and projection set the eval_perturbations attack, which is off", StringComparison.Ordinal));
        Assert.Null(ConfigTestSupport.Load(dir, ConfigTestSupport.Minimal(dir), schemas: ModelRegistry.Schemas).Evaluation.Attack);
    }
}
