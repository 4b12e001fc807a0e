namespace Integration.BigCommerce.Tests.B2bEdition;

/// <summary>
/// Where the B2B Edition contract check finds its OpenAPI files: the variable's folder first, then ../shared's; with
/// neither it skips with the one reason tests/allowed-skips.txt accepts.
/// </summary>
public sealed class B2bEditionSpecSkipTests : IDisposable
{
    private readonly string _shared = Directory.CreateTempSubdirectory("shared-").FullName;
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("b2b-openapi-").FullName;

    [Fact]
    public void FilesNowhere_NoFolder_AndTheReasonIsTheAllowedOne()
    {
        Assert.Null(B2bEditionPrismFixture.SpecDirectory(_shared, null));
        Assert.Null(B2bEditionPrismFixture.SpecDirectory(_shared, _elsewhere)); // a folder without specs/ is not taken
        var allowed = File.ReadAllLines(Path.Combine(Integration.Testing.RepositoryPaths.Root, "tests", "allowed-skips.txt"));
        Assert.Contains(B2bEditionPrismFixture.AbsentReason, allowed);
    }

    [Fact]
    public void FilesInShared_AreUsed()
    {
        Directory.CreateDirectory(Path.Combine(_shared, B2bEditionPrismFixture.SpecFolder, "specs"));
        Assert.Equal(Path.Combine(_shared, B2bEditionPrismFixture.SpecFolder), B2bEditionPrismFixture.SpecDirectory(_shared, null));
    }

    [Fact]
    public void TheVariablesFolder_ComesFirst()
    {
        Directory.CreateDirectory(Path.Combine(_shared, B2bEditionPrismFixture.SpecFolder, "specs"));
        Directory.CreateDirectory(Path.Combine(_elsewhere, "specs"));
        Assert.Equal(_elsewhere, B2bEditionPrismFixture.SpecDirectory(_shared, _elsewhere));
    }

    public void Dispose()
    {
        Directory.Delete(_shared, recursive: true);
        Directory.Delete(_elsewhere, recursive: true);
    }
}
