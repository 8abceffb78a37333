using TorchSharp;

namespace AdvRec.Neural;

/// <summary>Loads libtorch once, turning a native load failure into an error that says what to do.</summary>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> Loaded = new(() =>
    {
        try
        {
            // the first call into TorchSharp loads libLibTorchSharp and libtorch
            torch.InitializeDeviceType(DeviceType.CPU);
            return null;
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return e;
        }
    });

    /// <summary>Makes sure libtorch is loaded; throws <see cref="DeviceUnavailableException"/> with the cause if it cannot be.</summary>
    public static void EnsureLoaded()
    {
        if (Loaded.Value is { } e)
            throw new DeviceUnavailableException(
                "TorchSharp could not load its native library (libLibTorchSharp / libtorch). On Debian 12 or Ubuntu 22.04 the build " +
                "marks the GLIBCXX_3.4.32 requirement weak on the copy in the build output: run the program from that output " +
                $"(dotnet build / dotnet publish), not from a copy made elsewhere. Cause: {e.Message}", e);
    }
}
