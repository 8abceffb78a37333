namespace AdvRec.Neural;

/// <summary>A device was asked for that is not usable here (CUDA without a GPU or a CUDA build of libtorch), or libtorch could not be loaded.</summary>
public sealed class DeviceUnavailableException : InvalidOperationException
{
    /// <summary>An error with <paramref name="message"/>.</summary>
    public DeviceUnavailableException(string message) : base(message)
    {
    }

    /// <summary>An error with <paramref name="message"/> caused by <paramref name="inner"/>.</summary>
    public DeviceUnavailableException(string message, Exception inner) : base(message, inner)
    {
    }
}
