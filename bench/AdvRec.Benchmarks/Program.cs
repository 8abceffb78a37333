using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(AdvRec.Benchmarks.KernelBenchmarks).Assembly).Run(args);
