using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Integration.Core.Reconciliation;

/// <summary>
/// A set of SKUs held as 64-bit hashes (XXH3 of the normalised SKU), 8 bytes each in one sorted list: what a
/// reconciliation keeps of one side to report the other side's SKUs it lacks, at under 1 MB per 100,000 SKUs (plus
/// the list's growth). Two SKUs sharing a hash (odds about n²/2⁶⁵, 3·10⁻¹⁰ at 100,000) would hide one finding; no
/// write depends on it. Add everything first, then ask.
/// </summary>
internal sealed class SkuHashes
{
    private readonly List<ulong> _hashes = [];
    private bool _sorted = true;

    public void Add(string sku)
    {
        _hashes.Add(Hash(sku));
        _sorted = false;
    }

    public bool Contains(string sku)
    {
        if (!_sorted)
        {
            _hashes.Sort();
            _sorted = true;
        }

        return _hashes.BinarySearch(Hash(sku)) >= 0;
    }

    private static ulong Hash(string sku) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(sku.AsSpan()));
}
