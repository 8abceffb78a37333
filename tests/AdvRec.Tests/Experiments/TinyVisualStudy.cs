namespace AdvRec.Tests.Experiments;

/// <summary>The YAML of a study on a tiny synthetic visual dataset (20 items with 4-d features), for runner tests.</summary>
internal static class TinyVisualStudy
{
    /// <summary>
    /// The study with <paramref name="users"/> users: <paramref name="extra"/> lines go under <c>experiment</c>,
    /// <paramref name="models"/> under <c>experiment.models</c>.
    /// </summary>
    public static string Yaml(string models, string extra = "", int users = 30) =>
        "experiment:\n" +
        "  dataset: syn\n" +
        "  data_config:\n" +
        "    strategy: synthetic_visual\n" +
        "    synthetic:\n" +
        $"      users: {users}\n" +
        "      items: 20\n" +
        "      feature_dimension: 4\n" +
        "      latent_dimension: 2\n" +
        "      min_interactions: 4\n" +
        "      max_interactions: 6\n" +
        "  top_k: 5\n" +
        extra +
        "  models:\n" +
        models;
}
