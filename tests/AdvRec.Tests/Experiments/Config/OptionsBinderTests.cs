using AdvRec.Experiments.Config;
using AdvRec.Models.Factorization;
using static AdvRec.Tests.Experiments.Config.ConfigTestSupport;

namespace AdvRec.Tests.Experiments.Config;

public sealed class OptionsBinderTests
{
    [Theory]
    [InlineData("threads", "Threads")]
    [InlineData("THREADS", "Threads")]
    [InlineData("learning_rate", "LearningRate")]
    [InlineData("learning-rate", "LearningRate")]
    [InlineData("lr", "LearningRate")]
    [InlineData("LR", "LearningRate")]
    [InlineData("threadz", null)]
    public void PropertyOfNamesWhatAKeyWouldSet(string key, string? property) =>
        Assert.Equal(property, OptionsBinder.PropertyOf(typeof(BprMfOptions), key, BprAliases));

    [Fact]
    public void BindsAliasesSnakeCaseAndEnums()
    {
        var defaults = new BprMfOptions();
        var values = new Dictionary<string, ConfigValue>
        {
            ["lr"] = Scalar("0.01", 2),
            ["l_w"] = Scalar("1e-4", 3),
            ["factors"] = Scalar("32", 4),
            ["init_std"] = Scalar("0.1", 5),
            ["optimizer"] = Scalar("ADAM", 6),
            ["item_bias"] = Scalar("true", 7),
            ["seed"] = Scalar("18446744073709551615", 8),
            ["AdagradInitialAccumulator"] = Scalar("0.5", 9),
        };
        var bound = OptionsBinder.Bind(defaults, values, BprAliases);
        Assert.Equal(0.01f, bound.LearningRate);
        Assert.Equal(1e-4f, bound.Regularization);
        Assert.Equal(32, bound.Factors);
        Assert.Equal(0.1f, bound.InitStd);
        Assert.Equal(OptimizerKind.Adam, bound.Optimizer);
        Assert.True(bound.ItemBias);
        Assert.Equal(ulong.MaxValue, bound.Seed);
        Assert.Equal(0.5f, bound.AdagradInitialAccumulator);
        Assert.Equal(512, bound.BatchSize); // untouched default
        Assert.Equal(64, defaults.Factors); // the defaults are not changed
    }

    [Fact]
    public void BindsListsNullablesAndStrings()
    {
        var values = new Dictionary<string, ConfigValue>
        {
            ["layers"] = List(2, "600", "200"),
            ["tags"] = List(3, "a", "b"),
            ["weights"] = List(4, "0.5", "1.5"),
            ["rates"] = Scalar("0.25", 5), // a scalar is a one-item list
            ["activation"] = Scalar("relu", 6),
            ["max_epochs"] = Scalar("12", 7),
            ["budget"] = Scalar("-5", 8),
            ["optimizer"] = Scalar("adagrad", 9),
        };
        var bound = OptionsBinder.Bind(new MlpOptions(), values);
        Assert.Equal([600, 200], bound.Layers);
        Assert.Equal(["a", "b"], bound.Tags);
        Assert.Equal([0.5f, 1.5f], bound.Weights);
        Assert.Equal([0.25], bound.Rates);
        Assert.Equal("relu", bound.Activation);
        Assert.Equal(12, bound.MaxEpochs);
        Assert.Equal(-5L, bound.Budget);
        Assert.Equal(OptimizerKind.Adagrad, bound.Optimizer);

        var nulls = OptionsBinder.Bind(bound, new Dictionary<string, ConfigValue>
        {
            ["max_epochs"] = ConfigValue.Null(new ConfigPosition("h.yml", 1, 1)),
            ["activation"] = ConfigValue.Null(new ConfigPosition("h.yml", 2, 1)),
        });
        Assert.Null(nulls.MaxEpochs);
        Assert.Null(nulls.Activation);
    }

    [Fact]
    public void WrongTypesAndUnknownKeysAreAllReported()
    {
        var values = new Dictionary<string, ConfigValue>
        {
            ["layers"] = List(2, "600", "wide"),
            ["dropuot"] = Scalar("0.1", 3, 3),
            ["optimizer"] = Scalar("rmsprop", 4, 14),
            ["use_bias"] = Scalar("1", 5, 13),
            ["tags"] = ConfigValue.Null(new ConfigPosition("h.yml", 6, 9)),
        };
        var ex = Assert.Throws<ConfigException>(() => OptionsBinder.Bind(new MlpOptions(), values));
        Assert.Equal(5, ex.Errors.Count);
        Assert.Contains("h.yml:2:9: layers: expected a list of integers, got a list", ex.Message, StringComparison.Ordinal);
        Assert.Contains("h.yml:3:3: unknown hyperparameter 'dropuot' for MlpOptions; did you mean 'dropout'?", ex.Message, StringComparison.Ordinal);
        Assert.Contains("h.yml:4:14: optimizer: expected one of sgd, adagrad, adam, got 'rmsprop'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("h.yml:5:13: use_bias: expected true or false, got '1'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("h.yml:6:9: tags: expected a list of strings, got nothing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateErrorsMapToTheValuePosition()
    {
        var ex = Assert.Throws<ConfigException>(() =>
            OptionsBinder.Bind(new BprMfOptions(), new Dictionary<string, ConfigValue> { ["lr"] = Scalar("-1", 7, 13) }, BprAliases));
        var error = Assert.Single(ex.Errors);
        Assert.Equal(new ConfigPosition("h.yml", 7, 13), error.Position);
        Assert.Equal("lr: learning rate must be > 0 (got -1)", error.Message);

        ex = Assert.Throws<ConfigException>(() =>
            OptionsBinder.Bind(new MlpOptions(), new Dictionary<string, ConfigValue> { ["layers"] = ConfigValue.Sequence([], new ConfigPosition("h.yml", 3, 9)) }));
        Assert.Equal("h.yml:3:9: layers: at least one layer is needed", ex.Message);
    }

    [Fact]
    public void AliasAndPropertyForTheSameValueConflict()
    {
        var ex = Assert.Throws<ConfigException>(() => OptionsBinder.Bind(new BprMfOptions(),
            new Dictionary<string, ConfigValue> { ["lr"] = Scalar("0.1", 1), ["learning_rate"] = Scalar("0.2", 2) }, BprAliases));
        Assert.Contains("'learning_rate' sets learning_rate, which 'lr' (h.yml:1:1) already sets", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AliasToAMissingPropertyIsAProgrammingError()
    {
        Assert.Throws<ArgumentException>(() => OptionsBinder.Bind(new BprMfOptions(),
            new Dictionary<string, ConfigValue>(), new Dictionary<string, string> { ["x"] = "NoSuchProperty" }));
    }

    [Fact]
    public void KeysAreSnakeCasePlusAliases()
    {
        var keys = OptionsBinder.Keys(typeof(MlpOptions), new Dictionary<string, string> { ["drop"] = "Dropout" });
        Assert.Contains("layers", keys);
        Assert.Contains("max_epochs", keys);
        Assert.Contains("use_bias", keys);
        Assert.Contains("drop", keys);
        Assert.DoesNotContain("read_only_count", keys);
    }

    [Fact]
    public void NearestNameFollowsTheRule()
    {
        Assert.Equal(1, NearestName.Distance("cutofs", "cutoffs"));
        Assert.Equal("cutoffs", NearestName.Find("cutofs", ["top_k", "cutoffs"]));
        Assert.Null(NearestName.Find("zzzz", ["cutoffs", "top_k"]));
        Assert.Equal("validation_metric", NearestName.Find("validaton_metrc", ["validation_metric"]));
    }
}
