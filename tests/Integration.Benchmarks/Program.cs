using BenchmarkDotNet.Running;
using Integration.Benchmarks;

// "load-*" commands are load harnesses that print their own figures; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && LoadHarnesses.TryGet(args[0], out var harness))
{
    return await harness(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(LoadHarnesses).Assembly).Run(args);
return 0;
