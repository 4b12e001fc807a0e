using System.Diagnostics;

namespace Integration.Benchmarks;

/// <summary>Samples the process working set and GC heap every 20 ms; the peaks are what a host would have to provision.</summary>
internal sealed class PeakSampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _workingSet;
    private long _heap;

    public PeakSampler()
    {
        _loop = Task.Run(async () =>
        {
            using var process = Process.GetCurrentProcess();
            while (!_stop.IsCancellationRequested)
            {
                process.Refresh();
                _workingSet = Math.Max(_workingSet, process.WorkingSet64);
                _heap = Math.Max(_heap, GC.GetGCMemoryInfo().HeapSizeBytes);
                try
                {
                    await Task.Delay(20, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    public (long WorkingSet, long Heap) Stop()
    {
        _stop.Cancel();
        _loop.Wait();
        return (_workingSet, _heap);
    }

    public void Dispose() => _stop.Dispose();
}
