using AdvRec.Kernels;

namespace AdvRec.Tests;

/// <summary>A fact that needs OpenBLAS (Debian: libopenblas0-pthread, which .ci/run installs): skipped, with the reason shown, where it does not load.</summary>
public sealed class OpenBlasFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute.</summary>
    public OpenBlasFactAttribute()
    {
        if (!OpenBlas.IsAvailable) Skip = OpenBlas.Description + " (Debian: apt-get install libopenblas0-pthread)";
    }
}
