using Integration.BigCommerce.Emulator.B2b;

namespace Integration.BigCommerce.Emulator.State;

// B2B Edition: the store's companies, company users and addresses (src/Integration.BigCommerce.Emulator/B2b).
public sealed partial class EmulatedStore
{
    /// <summary>The store's B2B Edition, served at <c>{BaseAddress}api/v3/io/...</c> with <c>X-Store-Hash</c> naming this store.</summary>
    public EmulatedB2bEdition B2bEdition { get; internal set; } = null!;
}
