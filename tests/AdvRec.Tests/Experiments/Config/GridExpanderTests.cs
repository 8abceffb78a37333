using AdvRec.Experiments.Config;
using AdvRec.Models.Factorization;
using static AdvRec.Tests.Experiments.Config.ConfigTestSupport;

namespace AdvRec.Tests.Experiments.Config;

public sealed class GridExpanderTests
{
    private static OrderedDictionary<string, IReadOnlyList<ConfigValue>> Grid(params (string Key, string[] Values)[] keys)
    {
        var grid = new OrderedDictionary<string, IReadOnlyList<ConfigValue>>();
        int line = 1;
        foreach (var (key, values) in keys) grid[key] = List(line++, values).Items;
        return grid;
    }

    [Fact]
    public void CartesianProductInWrittenOrderLastKeyFastest()
    {
        var grid = Grid(("factors", ["32", "64"]), ("lr", ["0.01", "0.1"]), ("l_w", ["0", "1", "2"]));
        var fixedValues = new Dictionary<string, ConfigValue> { ["batch_size"] = Scalar("8") };
        var points = GridExpander.Expand(new BprMfOptions(), fixedValues, grid, BprAliases);
        Assert.Equal(12, points.Count);
        Assert.Equal("factors=32, lr=0.01, l_w=0", points[0].Description);
        Assert.Equal("factors=32, lr=0.01, l_w=1", points[1].Description);
        Assert.Equal("factors=32, lr=0.1, l_w=0", points[3].Description);
        Assert.Equal("factors=64, lr=0.01, l_w=0", points[6].Description);
        Assert.Equal("factors=64, lr=0.1, l_w=2", points[11].Description);
        Assert.All(points, p => Assert.Equal(8, p.Options.BatchSize));
        Assert.Equal(64, points[11].Options.Factors);
        Assert.Equal(0.1f, points[11].Options.LearningRate);
        Assert.Equal(2f, points[11].Options.Regularization);
        Assert.Equal(["factors", "lr", "l_w"], points[5].GridValues.Select(g => g.Key));
    }

    [Fact]
    public void NoGridGivesOnePoint()
    {
        var points = GridExpander.Expand(new MlpOptions(), new Dictionary<string, ConfigValue> { ["layers"] = List(1, "600", "200") }, Grid());
        var point = Assert.Single(points);
        Assert.Equal("", point.Description);
        Assert.Equal([600, 200], point.Options.Layers); // a list value is a list, not a grid
    }

    [Fact]
    public void GridOfListsBindsEachList()
    {
        var grid = new OrderedDictionary<string, IReadOnlyList<ConfigValue>>
        {
            ["layers"] = [List(1, "64", "32"), List(2, "128")],
        };
        var points = GridExpander.Expand(new MlpOptions(), new Dictionary<string, ConfigValue>(), grid);
        Assert.Equal(2, points.Count);
        Assert.Equal("layers=[64, 32]", points[0].Description);
        Assert.Equal([128], points[1].Options.Layers);
    }

    [Fact]
    public void InvalidGridValuesAreReportedOnce()
    {
        var grid = Grid(("factors", ["0", "8"]), ("lr", ["0.1", "0.2"]));
        var ex = Assert.Throws<ConfigException>(() => GridExpander.Expand(new BprMfOptions(), new Dictionary<string, ConfigValue>(), grid, BprAliases));
        var error = Assert.Single(ex.Errors);
        Assert.Equal(new ConfigPosition("h.yml", 1, 10), error.Position);
        Assert.Contains("factors: factors must be >= 1 (got 0)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CombinationsOfAnEmptyValueListAreNone()
    {
        var grid = new List<KeyValuePair<string, IReadOnlyList<ConfigValue>>> { new("a", []) };
        Assert.Empty(GridExpander.Combinations(grid));
        Assert.Single(GridExpander.Combinations([]));
    }
}
