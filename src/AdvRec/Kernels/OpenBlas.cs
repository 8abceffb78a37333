using System.Numerics;
using System.Runtime.InteropServices;

namespace AdvRec.Kernels;

/// <summary>
/// OpenBLAS's LAPACK (potrf and potri) for the inverse of a symmetric positive definite matrix, where the machine has
/// the library (Debian: <c>apt-get install libopenblas0-pthread</c>). It is looked up once, at first use, and never
/// required: <see cref="IsAvailable"/> is false where it cannot be loaded and callers fall back to
/// <see cref="Cholesky"/>. Row-major storage is read as its column-major transpose, so the lower triangle used here is
/// LAPACK's upper one.
/// </summary>
public static unsafe class OpenBlas
{
    private static readonly string[] Candidates =
    [
        "libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "libopenblas.so",
        "libopenblas.dylib",
        "libopenblas.dll",
    ];

    private static readonly Lazy<Api?> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether OpenBLAS could be loaded here.</summary>
    public static bool IsAvailable => Loaded.Value is not null;

    /// <summary>The library that was loaded and its build configuration, or why none was.</summary>
    public static string Description => Loaded.Value is { } api ? $"OpenBLAS ({api.Path}; {api.Config})" : $"OpenBLAS not found (looked for {string.Join(", ", Candidates)})";

    /// <summary>
    /// Replaces the lower triangle of the symmetric positive definite n × n row-major matrix at <paramref name="a"/>
    /// (row stride <paramref name="ld"/>) by the lower triangle of its inverse, on <paramref name="threads"/> OpenBLAS
    /// threads (0 = all cores). The strict upper triangle is left as it was.
    /// </summary>
    /// <exception cref="InvalidOperationException">OpenBLAS is not available (see <see cref="IsAvailable"/>).</exception>
    /// <exception cref="ArithmeticException">The matrix is not positive definite.</exception>
    public static void Invert<T>(T* a, int n, nint ld, int threads = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var api = Loaded.Value ?? throw new InvalidOperationException(Description);
        if (n <= 0) return;
        if (ld > int.MaxValue || ld < n) throw new ArgumentOutOfRangeException(nameof(ld), ld, $"the row stride must be in [{n}, {int.MaxValue}]");
        bool single = typeof(T) == typeof(float);
        if (!single && typeof(T) != typeof(double)) throw new NotSupportedException(typeof(T).Name);
        api.SetThreads(threads > 0 ? threads : Environment.ProcessorCount);
        byte uplo = (byte)'U';
        int size = n, stride = (int)ld, info = 0;
        if (single) api.Spotrf(&uplo, &size, (float*)a, &stride, &info);
        else api.Dpotrf(&uplo, &size, (double*)a, &stride, &info);
        if (info > 0) throw new ArithmeticException($"the matrix is not positive definite: OpenBLAS's potrf stopped at row {info - 1}");
        if (info < 0) throw new ArgumentException($"OpenBLAS's potrf refused argument {-info}");
        if (single) api.Spotri(&uplo, &size, (float*)a, &stride, &info);
        else api.Dpotri(&uplo, &size, (double*)a, &stride, &info);
        if (info != 0) throw new ArithmeticException($"OpenBLAS's potri failed (info {info})");
    }

    private static Api? Load()
    {
        foreach (string name in Candidates)
        {
            if (!NativeLibrary.TryLoad(name, out nint handle)) continue;
            if (NativeLibrary.TryGetExport(handle, "dpotrf_", out nint dpotrf) && NativeLibrary.TryGetExport(handle, "dpotri_", out nint dpotri)
                && NativeLibrary.TryGetExport(handle, "spotrf_", out nint spotrf) && NativeLibrary.TryGetExport(handle, "spotri_", out nint spotri)
                && NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out nint setThreads))
            {
                string config = NativeLibrary.TryGetExport(handle, "openblas_get_config", out nint getConfig)
                    ? Marshal.PtrToStringAnsi(((delegate* unmanaged[Cdecl]<nint>)getConfig)()) ?? "" : "";
                return new Api(name, config.Trim(), dpotrf, dpotri, spotrf, spotri, setThreads);
            }
            NativeLibrary.Free(handle);
        }
        return null;
    }

    // The Fortran entry points, with the hidden length of the character argument last (gfortran's convention).
    private sealed class Api(string path, string config, nint dpotrf, nint dpotri, nint spotrf, nint spotri, nint setThreads)
    {
        public string Path => path;

        public string Config => config;

        public void Dpotrf(byte* uplo, int* n, double* a, int* lda, int* info) => ((delegate* unmanaged[Cdecl]<byte*, int*, double*, int*, int*, nuint, void>)dpotrf)(uplo, n, a, lda, info, 1);

        public void Dpotri(byte* uplo, int* n, double* a, int* lda, int* info) => ((delegate* unmanaged[Cdecl]<byte*, int*, double*, int*, int*, nuint, void>)dpotri)(uplo, n, a, lda, info, 1);

        public void Spotrf(byte* uplo, int* n, float* a, int* lda, int* info) => ((delegate* unmanaged[Cdecl]<byte*, int*, float*, int*, int*, nuint, void>)spotrf)(uplo, n, a, lda, info, 1);

        public void Spotri(byte* uplo, int* n, float* a, int* lda, int* info) => ((delegate* unmanaged[Cdecl]<byte*, int*, float*, int*, int*, nuint, void>)spotri)(uplo, n, a, lda, info, 1);

        public void SetThreads(int threads) => ((delegate* unmanaged[Cdecl]<int, void>)setThreads)(threads);
    }
}
