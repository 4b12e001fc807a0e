namespace Integration.BigCommerce.Tests.B2bEdition;

/// <summary>The B2B Edition contract check without its OpenAPI files: skipped off CI with the reason, a failure under CI=true.</summary>
public sealed class B2bEditionSpecSkipTests : IDisposable
{
    private readonly string _shared = Directory.CreateTempSubdirectory("shared-").FullName;

    [Theory]
    [InlineData("true")]
    [InlineData("TRUE")]
    public void FilesMissing_UnderCi_Throws(string ci)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => B2bEditionPrismFixture.SpecSkipDecision(_shared, ci));
        Assert.Contains(B2bEditionPrismFixture.SpecFolder, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    public void FilesMissing_OffCi_SkipsNamingTheFolder(string? ci) =>
        Assert.Contains(B2bEditionPrismFixture.SpecFolder, B2bEditionPrismFixture.SpecSkipDecision(_shared, ci), StringComparison.Ordinal);

    [Fact]
    public void FilesPresent_Runs()
    {
        Directory.CreateDirectory(Path.Combine(_shared, B2bEditionPrismFixture.SpecFolder, "specs"));
        Assert.Null(B2bEditionPrismFixture.SpecSkipDecision(_shared, "true"));
    }

    public void Dispose() => Directory.Delete(_shared, recursive: true);
}
