namespace Integration.Benchmarks;

/// <summary>The load harnesses, by command name. Each is bounded in count and time and targets loopback only.</summary>
public static class LoadHarnesses
{
    private static readonly Dictionary<string, Func<string[], Task<int>>> Harnesses = new(StringComparer.Ordinal)
    {
    };

    public static bool TryGet(string name, out Func<string[], Task<int>> harness) => Harnesses.TryGetValue(name, out harness!);
}
