using System.Globalization;
using AdvRec.IO;

namespace AdvRec.Data;

/// <summary>Writes an <see cref="InteractionLog"/> as a headerless TSV file that <see cref="InteractionReader"/> reads back.</summary>
public static class InteractionWriter
{
    /// <summary>
    /// Writes <paramref name="log"/> to <paramref name="path"/> (atomically, creating its folder): one row per interaction,
    /// <c>user item</c>, with the rating when the log has ratings and the timestamp when it has timestamps (a log with
    /// timestamps but no ratings writes rating 1, so the columns stay Elliot's <c>user item rating timestamp</c>).
    /// </summary>
    public static void WriteTsv(InteractionLog log, string path)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(path);
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
        AtomicFile.WriteText(path, w =>
        {
            var users = log.UserIndices;
            var items = log.ItemIndices;
            var ratings = log.Ratings;
            var times = log.Timestamps;
            for (int k = 0; k < log.Count; k++)
            {
                w.Write(log.Users[users[k]]);
                w.Write('\t');
                w.Write(log.Items[items[k]]);
                if (log.HasRatings || log.HasTimestamps)
                {
                    w.Write('\t');
                    w.Write(log.HasRatings ? ratings[k].ToString("R", CultureInfo.InvariantCulture) : "1");
                }
                if (log.HasTimestamps)
                {
                    w.Write('\t');
                    w.Write(times[k].ToString(CultureInfo.InvariantCulture));
                }
                w.Write('\n');
            }
        });
    }
}
