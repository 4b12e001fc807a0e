using Integration.Infrastructure.Tests.Bicep;

[assembly: AssemblyFixture(typeof(CompiledTemplate))]
