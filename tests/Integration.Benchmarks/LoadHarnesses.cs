using System.Reflection;

namespace Integration.Benchmarks;

/// <summary>
/// A load harness: a bounded run (in requests and time) against services on loopback that prints its own figures.
/// Implementations are discovered by reflection, so adding one is adding a file.
/// </summary>
public interface ILoadHarness
{
    /// <summary>The command name, starting with <c>load-</c>.</summary>
    string Name { get; }

    Task<int> RunAsync(string[] args);
}

public static class LoadHarnesses
{
    private static readonly Dictionary<string, ILoadHarness> Harnesses = typeof(LoadHarnesses).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ILoadHarness).IsAssignableFrom(t))
        .Select(t => (ILoadHarness)Activator.CreateInstance(t)!)
        .ToDictionary(h => h.Name, StringComparer.Ordinal);

    public static IEnumerable<string> Names => Harnesses.Keys.Order(StringComparer.Ordinal);

    public static bool TryGet(string name, out Func<string[], Task<int>> harness)
    {
        if (Harnesses.TryGetValue(name, out var found))
        {
            harness = found.RunAsync;
            return true;
        }

        harness = null!;
        return false;
    }
}
