using TorchSharp;

namespace AdvRec.Neural;

/// <summary>
/// Device selection for the neural engine: <c>cpu</c>, <c>cuda</c> (or <c>cuda:N</c>) and <c>auto</c> (CUDA when a
/// GPU is usable, else the CPU). The choice is always explicit in the log: which device, and why for <c>auto</c>.
/// </summary>
public static class TorchDevices
{
    /// <summary>The names a config or the CLI may use.</summary>
    public const string Choices = "cpu | cuda | cuda:N | auto";

    /// <summary>
    /// Resolves <paramref name="choice"/> to a device and logs the decision. Throws
    /// <see cref="ArgumentException"/> for an unknown name and <see cref="DeviceUnavailableException"/> when CUDA is
    /// asked for where none is usable (before any training starts).
    /// </summary>
    public static torch.Device Resolve(string choice, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(choice);
        TorchRuntime.EnsureLoaded();
        string c = choice.Trim().ToLowerInvariant();
        if (c == "cpu")
        {
            log?.Invoke("device: cpu (asked for)");
            return torch.CPU;
        }
        if (c == "auto")
        {
            bool cuda = torch.cuda.is_available();
            log?.Invoke(cuda ? $"device: cuda (auto: {torch.cuda.device_count()} CUDA device(s) found)" : "device: cpu (auto: no usable CUDA device; the CPU build of libtorch or no GPU)");
            return cuda ? torch.CUDA : torch.CPU;
        }
        if (c == "cuda" || c.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (c.Length > 4 && (!int.TryParse(c.AsSpan(5), out index) || index < 0))
                throw new ArgumentException($"device '{choice}': expected {Choices}", nameof(choice));
            if (!torch.cuda.is_available())
                throw new DeviceUnavailableException($"device '{choice}' was asked for, but no CUDA device is usable here (this libtorch is a CPU build, or there is no NVIDIA GPU/driver). Use device: cpu or auto, or run with a CUDA build of libtorch (see docs/gpu.md).");
            int count = torch.cuda.device_count();
            if (index >= count) throw new DeviceUnavailableException($"device '{choice}' was asked for, but only {count} CUDA device(s) exist");
            log?.Invoke($"device: cuda:{index} (asked for)");
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"device '{choice}': expected {Choices}", nameof(choice));
    }

    /// <summary>Checks a device name without touching libtorch (for config validation).</summary>
    public static bool IsValidName(string choice)
    {
        string c = choice.Trim().ToLowerInvariant();
        return c is "cpu" or "cuda" or "auto" || (c.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(c.AsSpan(5), out int i) && i >= 0);
    }
}
