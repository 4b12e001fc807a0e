using Integration.Testing;

[assembly: AssemblyFixture(typeof(AzuriteFixture))]
