using System.Text.Json;
using AdvRec.IO;

namespace AdvRec.Experiments;

/// <summary>
/// Writes a <see cref="HandsOnResult"/> as JSON — a contract other tools read:
/// <c>{"dataset": ..., "rows": [{"model": "BPR-MF"|"APR", "attack": "none"|"FGSM"|"random", "eps": 0.5,
/// "HR@K": ..., "nDCG@K": ..., "AUC": ...}, ...]}</c>, the metric keys named by the cutoff in use. Each row also
/// carries "seconds"; the top level carries "description", "cutoff", "seed" and "users".
/// </summary>
public static class HandsOnJson
{
    /// <summary>Writes <paramref name="result"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(HandsOnResult result, string path) => AtomicFile.Write(path, stream => Write(result, stream));

    /// <summary>Writes <paramref name="result"/> to <paramref name="stream"/>.</summary>
    public static void Write(HandsOnResult result, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("dataset", result.Dataset);
        json.WriteString("description", result.DatasetDescription);
        json.WriteNumber("cutoff", result.Cutoff);
        json.WriteNumber("seed", result.Seed);
        json.WriteNumber("users", result.UsersEvaluated);
        json.WriteStartArray("rows");
        foreach (var row in result.Rows)
        {
            json.WriteStartObject();
            json.WriteString("model", row.Model);
            json.WriteString("attack", row.Attack);
            json.WriteNumber("eps", row.Epsilon);
            json.WriteNumber($"HR@{result.Cutoff}", row.HitRate);
            json.WriteNumber($"nDCG@{result.Cutoff}", row.Ndcg);
            json.WriteNumber("AUC", row.Auc);
            json.WriteNumber("seconds", Math.Round(row.Seconds, 4));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
