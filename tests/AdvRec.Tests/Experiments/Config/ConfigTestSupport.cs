using System.Runtime.CompilerServices;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Models.Factorization;

namespace AdvRec.Tests.Experiments.Config;

/// <summary>A test-local options record with list, enum, nullable and string properties.</summary>
public sealed record MlpOptions
{
    public IReadOnlyList<int> Layers { get; init; } = [64];

    public double Dropout { get; init; }

    public string? Activation { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public float[] Weights { get; init; } = [];

    public List<double> Rates { get; init; } = [];

    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    public int? MaxEpochs { get; init; }

    public long Budget { get; init; }

    public bool UseBias { get; init; }

    public int ReadOnlyCount => Layers.Count;

    public void Validate()
    {
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "dropout must be in [0, 1)");
        if (Layers.Count == 0) throw new ArgumentException("at least one layer is needed", nameof(Layers));
    }
}

internal static class ConfigTestSupport
{
    /// <summary>The error as "study.yml:9:7: message", with the file's name only.</summary>
    public static string Short(this ConfigError e) => $"{Path.GetFileName(e.Position.File)}:{e.Position.Line}:{e.Position.Column}: {e.Message}";

    public static readonly IReadOnlyDictionary<string, string> BprAliases = new Dictionary<string, string>
    {
        ["lr"] = "LearningRate",
        ["l_w"] = "Regularization",
        ["l_b"] = "BiasRegularization",
        ["factors"] = "Factors",
        ["batch_size"] = "BatchSize",
        ["seed"] = "Seed",
    };

    public static readonly IReadOnlyDictionary<string, ModelSchema> Schemas = new Dictionary<string, ModelSchema>
    {
        ["BPR-MF"] = new ModelSchema(new BprMfOptions()),
        ["MLP"] = new ModelSchema(new MlpOptions()),
    };

    /// <summary>The folder of this source file, where the fixture YAML files are.</summary>
    public static string FixtureDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    /// <summary>A minimal valid study (fixed strategy) whose data files exist in <paramref name="dir"/>; <paramref name="extra"/> lines go under experiment.</summary>
    public static string Minimal(TempDirectory dir, string models = "    BPR-MF:\n      hyperparameters:\n        factors: 8\n", string extra = "")
    {
        dir.Write("train.tsv", "u1\ti1\nu2\ti2\n");
        dir.Write("test.tsv", "u1\ti2\n");
        return "experiment:\n" +
               "  dataset: tiny\n" +
               "  data_config:\n" +
               "    strategy: fixed\n" +
               "    train_path: train.tsv\n" +
               "    test_path: test.tsv\n" +
               extra +
               "  models:\n" +
               models;
    }

    public static StudyConfig Load(TempDirectory dir, string yaml, IEnumerable<string>? overrides = null,
        IReadOnlyDictionary<string, ModelSchema>? schemas = null)
    {
        string path = dir.Write("study.yml", yaml);
        return StudyConfigLoader.Load(path, overrides, schemas);
    }

    public static ConfigException LoadFails(TempDirectory dir, string yaml, IEnumerable<string>? overrides = null,
        IReadOnlyDictionary<string, ModelSchema>? schemas = null) =>
        Assert.Throws<ConfigException>(() => Load(dir, yaml, overrides, schemas));

    public static ConfigValue Scalar(string text, int line = 1, int column = 1) =>
        ConfigValue.Scalar(text, new ConfigPosition("h.yml", line, column));

    public static ConfigValue List(int line, params string[] items) =>
        ConfigValue.Sequence(items.Select((t, i) => ConfigValue.Scalar(t, new ConfigPosition("h.yml", line, 10 + 4 * i))), new ConfigPosition("h.yml", line, 9));
}
