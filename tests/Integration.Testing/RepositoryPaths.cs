namespace Integration.Testing;

/// <summary>Locates the repository and the <c>../shared</c> folder beside it.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The repository root (the folder holding <c>Integration.sln</c>).</summary>
    public static string Root => RootLazy.Value;

    /// <summary>The <c>shared</c> folder beside the repository, or null when this clone has none.</summary>
    public static string? Shared
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("INTEGRATION_SHARED_DIR");
            var candidate = string.IsNullOrEmpty(fromEnvironment) ? Path.GetFullPath(Path.Combine(Root, "..", "shared")) : fromEnvironment;
            return Directory.Exists(candidate) ? candidate : null;
        }
    }

    /// <summary>The skip reason used by every test that needs <c>../shared</c>.</summary>
    public const string SharedMissingReason =
        "../shared (BigCommerce OpenAPI files, design) is absent beside this clone; set INTEGRATION_SHARED_DIR or run in CI.";

    /// <summary>
    /// What a test needing <c>../shared</c> does here: null (run), the skip reason (a developer machine without it),
    /// or, when <c>CI=true</c>, an exception: CI must never go green with the contract tests skipped.
    /// </summary>
    public static string? SharedSkipReason => SharedSkipDecision(Shared is not null, Environment.GetEnvironmentVariable("CI"));

    /// <summary>The decision behind <see cref="SharedSkipReason"/>, for a given presence and <c>CI</c> value.</summary>
    public static string? SharedSkipDecision(bool sharedPresent, string? ci)
    {
        if (sharedPresent)
        {
            return null;
        }

        if (string.Equals(ci?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                "CI=true and ../shared (BigCommerce OpenAPI files, design) is missing: the contract tests cannot run, and CI does not skip them. " +
                "Check out the shared folder beside the repository or set INTEGRATION_SHARED_DIR.");
        }

        return SharedMissingReason;
    }

    /// <summary>The path of a tool installed by <c>tests/tools/package.json</c>.</summary>
    public static string NodeTool(string name) => Path.Combine(Root, "tests", "tools", "node_modules", ".bin", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Integration.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Integration.sln not found above {AppContext.BaseDirectory}.");
    }
}
