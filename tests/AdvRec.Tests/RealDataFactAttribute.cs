namespace AdvRec.Tests;

/// <summary>
/// A fact that needs the shared real data (see <see cref="SharedData"/>): it is skipped, with the reason shown,
/// when the data folder or one of the named files under it is absent.
/// </summary>
public sealed class RealDataFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute; <paramref name="requiredPaths"/> are paths under the data folder, such as "movielens-500/testset.tsv".</summary>
    public RealDataFactAttribute(params string[] requiredPaths)
    {
        if (SharedData.Root is null)
        {
            Skip = $"shared/data not found (looked in {SharedData.Searched}; set ADVREC_DATA to the data folder)";
            return;
        }
        foreach (string path in requiredPaths)
        {
            if (!SharedData.Has(path.Split('/')))
            {
                Skip = $"{path} not found under {SharedData.Root}";
                return;
            }
        }
    }
}
