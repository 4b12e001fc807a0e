namespace Integration.BigCommerce.Emulator.State;

/// <summary>Deterministic pseudo-random numbers from (seed, key, salt): seeded data needs no stored state.</summary>
internal static class Seeded
{
    public static ulong Mix(int seed, long key, long salt)
    {
        // SplitMix64 finaliser over the combined inputs.
        var z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)key * 0xBF58476D1CE4E5B9UL + (ulong)salt * 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    public static int Int(int seed, long key, long salt, int maxExclusive) => (int)(Mix(seed, key, salt) % (ulong)maxExclusive);

    public static decimal Money(int seed, long key, long salt, int minCents, int maxCents) =>
        (minCents + Int(seed, key, salt, maxCents - minCents)) / 100m;
}
