using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace AdvRec.Neural.Graph;

/// <summary>Which code runs LightGCN's sparse propagation.</summary>
public enum GraphEngine
{
    /// <summary>The managed CSR kernel on the CPU, TorchSharp's sparse product on CUDA (the faster one on each, by measurement).</summary>
    Auto,

    /// <summary>The managed CSR kernel with the analytic backward (CPU only).</summary>
    Managed,

    /// <summary>TorchSharp's sparse COO product with autograd (CPU or CUDA).</summary>
    Torch,
}

/// <summary>
/// LightGCN's propagation <c>E = Σ_k w_k Â^k E⁽⁰⁾</c> on one of two engines, differentiable with respect to
/// <c>E⁽⁰⁾</c>: TorchSharp's sparse product under autograd, or the managed kernel of
/// <see cref="NormalizedAdjacency"/> wrapped as a custom autograd function whose backward is the same propagation
/// (Â is symmetric).
/// </summary>
internal sealed class GraphPropagation : IDisposable
{
    private readonly NormalizedAdjacency _graph;
    private readonly float[] _weights;
    private readonly Tensor? _sparse;

    /// <summary>Prepares <paramref name="engine"/> (resolved: not Auto) on <paramref name="device"/>.</summary>
    public GraphPropagation(NormalizedAdjacency graph, float[] weights, GraphEngine engine, torch.Device device)
    {
        _graph = graph;
        _weights = weights;
        Engine = engine;
        if (engine == GraphEngine.Managed && device.type != DeviceType.CPU)
            throw new ArgumentException($"engine managed runs on the CPU only, but the device is {device}; use engine torch or auto");
        if (engine == GraphEngine.Torch) _sparse = graph.ToTorch(device).DetachFromDisposeScope();
    }

    /// <summary>The engine in use.</summary>
    public GraphEngine Engine { get; }

    /// <summary>The propagated embeddings of <paramref name="e0"/> ([nodes, f]), differentiable when it requires a gradient.</summary>
    public Tensor Propagate(Tensor e0)
    {
        if (Engine == GraphEngine.Torch)
        {
            var output = e0 * _weights[0];
            var current = e0;
            for (int k = 1; k < _weights.Length; k++)
            {
                current = torch.mm(_sparse!, current);
                output = output + current * _weights[k];
            }
            return output;
        }
        if (!e0.requires_grad) return ManagedPropagate(_graph, _weights, e0);
        return ManagedFunction.apply(e0, this);
    }

    /// <summary>Frees the sparse tensor.</summary>
    public void Dispose() => _sparse?.Dispose();

    private static Tensor ManagedPropagate(NormalizedAdjacency graph, float[] weights, Tensor input)
    {
        using var source = input.detach().contiguous();
        var output = torch.empty(source.shape, dtype: ScalarType.Float32);
        int columns = (int)source.shape[1];
        graph.Propagate(MemoryMarshal.Cast<byte, float>(source.bytes), MemoryMarshal.Cast<byte, float>(output.bytes), columns, weights);
        return output;
    }

    // The custom autograd function: forward and backward are the same propagation (Â symmetric, linear map).
    private sealed class ManagedFunction : torch.autograd.SingleTensorFunction<ManagedFunction>
    {
        public override string Name => "LightGcnPropagation";

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var owner = (GraphPropagation)vars[1];
            ctx.save_data("owner", owner);
            return ManagedPropagate(owner._graph, owner._weights, (Tensor)vars[0]);
        }

        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            var owner = (GraphPropagation)ctx.get_data("owner");
            return [ManagedPropagate(owner._graph, owner._weights, grad_output), null!];
        }
    }
}
