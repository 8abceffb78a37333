using System.Runtime.InteropServices;

namespace AdvRec.Kernels;

/// <summary>
/// A 64-byte-aligned array of <typeparamref name="T"/> in native memory, freed on <see cref="Dispose"/>: the
/// storage of the dense kernels, outside the garbage-collected heap and without its 2³¹-element limit.
/// </summary>
public sealed unsafe class NativeArray<T> : IDisposable where T : unmanaged
{
    /// <summary>Allocates <paramref name="length"/> values, zeroed unless <paramref name="zeroed"/> is false (for a caller that writes every value first).</summary>
    public NativeArray(nint length, bool zeroed = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        Pointer = (T*)NativeMemory.AlignedAlloc((nuint)(Math.Max(1, length) * sizeof(T)), 64);
        if (zeroed) NativeMemory.Clear(Pointer, (nuint)(length * sizeof(T)));
    }

    /// <summary>The first value (null once disposed).</summary>
    public T* Pointer { get; private set; }

    /// <summary>The number of values.</summary>
    public nint Length { get; }

    /// <summary>The values from <paramref name="start"/>, <paramref name="length"/> of them.</summary>
    public Span<T> Slice(nint start, int length)
    {
        ObjectDisposedException.ThrowIf(Pointer is null, this);
        if (start < 0 || length < 0 || start + length > Length) throw new ArgumentOutOfRangeException(nameof(start), $"[{start}, {start + length}) is outside [0, {Length})");
        return new Span<T>(Pointer + start, length);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        NativeMemory.AlignedFree(Pointer);
        Pointer = null;
    }
}
