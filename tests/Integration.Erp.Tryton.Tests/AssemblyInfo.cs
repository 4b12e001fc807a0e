using Integration.Testing.Tryton;

// One Tryton server for the assembly; tests keep apart by unique SKUs, store hashes and order ids.
[assembly: AssemblyFixture(typeof(TrytonFixture))]
