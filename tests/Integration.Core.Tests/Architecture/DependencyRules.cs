using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Integration.Core.Tests.Architecture;

/// <summary>The room a project belongs to (docs/architecture.md, "Map").</summary>
internal enum Room
{
    Core,
    Adapter,
    Composition,
    Host,
    Tooling,
}

/// <summary>One project as its .csproj declares it, and the namespaces its source files import.</summary>
internal sealed record ProjectNode(string Name, Room Room, IReadOnlyList<string> Projects, IReadOnlyList<string> Packages,
    IReadOnlyList<string> Frameworks, IReadOnlyList<(string File, string Namespace)> Imports)
{
    public IReadOnlyList<string> AssemblyReferences { get; init; } = [];
}

/// <summary>
/// The dependency rules of docs/architecture.md ("Map"), checked over a project graph: the repository's own (read from
/// the .csproj files and sources) or a synthetic one (to see each rule fail). Each broken rule is one line.
/// </summary>
internal static partial class DependencyRules
{
    /// <summary>The product's projects by room; every other project under src/ must be listed as tooling.</summary>
    public static readonly IReadOnlyDictionary<string, Room> ProductRooms = new Dictionary<string, Room>(StringComparer.Ordinal)
    {
        ["Integration.Core"] = Room.Core,
        ["Integration.BigCommerce"] = Room.Adapter,
        ["Integration.Erp.Tryton"] = Room.Adapter,
        ["Integration.Crm.HubSpot"] = Room.Adapter,
        ["Integration.Azure"] = Room.Adapter,
        ["Integration.Hosting"] = Room.Composition,
        ["Integration.Functions"] = Room.Host,
        ["Integration.Standalone"] = Room.Host,
    };

    /// <summary>Test tools that live under src/ (the emulators and the store day): never referenced by the product.</summary>
    public static readonly IReadOnlySet<string> ToolsUnderSrc = new HashSet<string>(StringComparer.Ordinal)
    {
        "Integration.BigCommerce.Emulator",
        "Integration.Crm.HubSpot.Emulator",
        "Integration.StoreDay",
    };

    /// <summary>Package, assembly and namespace prefixes of Azure, HTTP stacks and vendor SDKs.</summary>
    private static readonly string[] InfrastructurePrefixes =
    [
        "Azure", "Microsoft.Azure", "Microsoft.AspNetCore", "Microsoft.Extensions.Http", "System.Net.Http", "Polly", "Grpc",
        "HubSpot", "BigCommerce", "Tryton",
    ];

    /// <summary>What a host may import besides the product: its own hosting framework.</summary>
    private static readonly string[] HostFrameworkPrefixes = ["Microsoft.AspNetCore", "Microsoft.Azure.Functions.Worker"];

    public static bool IsInfrastructure(string name) =>
        InfrastructurePrefixes.Any(p => name == p || name.StartsWith(p + ".", StringComparison.Ordinal));

    /// <summary>Every broken rule in <paramref name="graph"/>, one line each.</summary>
    public static IReadOnlyList<string> Check(IReadOnlyCollection<ProjectNode> graph)
    {
        var rooms = graph.ToDictionary(p => p.Name, p => p.Room, StringComparer.Ordinal);
        var violations = new List<string>();
        foreach (var project in graph)
        {
            foreach (var reference in project.Projects)
            {
                var to = rooms.TryGetValue(reference, out var room) ? room : Room.Tooling;
                if (project.Room != Room.Tooling && to == Room.Tooling)
                {
                    violations.Add($"{project.Name} ({project.Room}) references the test tool {reference}: the product never depends on test tools");
                }
                else if (project.Room != Room.Tooling && !Allowed(project.Room, to))
                {
                    violations.Add($"{project.Name} ({project.Room}) references {reference} ({to}): {Rule(project.Room)}");
                }
            }

            if (project.Room == Room.Core)
            {
                violations.AddRange(project.Packages.Where(IsInfrastructure)
                    .Select(p => $"{project.Name} (Core) references the package {p}: the core references no Azure, HTTP or vendor SDK"));
                violations.AddRange(project.Frameworks.Where(IsInfrastructure)
                    .Select(f => $"{project.Name} (Core) references the framework {f}: the core references no Azure, HTTP or vendor SDK"));
                violations.AddRange(project.AssemblyReferences.Where(IsInfrastructure)
                    .Select(a => $"{project.Name} (Core) is compiled against {a}: the core references no Azure, HTTP or vendor SDK"));
            }

            if (project.Room == Room.Host)
            {
                violations.AddRange(project.Imports
                    .Where(i => IsInfrastructure(i.Namespace) && !HostFrameworkPrefixes.Any(p => i.Namespace == p || i.Namespace.StartsWith(p + ".", StringComparison.Ordinal)))
                    .Select(i => $"{project.Name} (Host) {i.File} imports {i.Namespace}: hosts only compose; SDK code belongs in an adapter"));
            }
        }

        return violations;
    }

    private static bool Allowed(Room from, Room to) => (from, to) switch
    {
        (Room.Core, _) => false,
        (Room.Adapter, Room.Core) => true,
        (Room.Composition, Room.Core or Room.Adapter) => true,
        (Room.Host, Room.Core or Room.Adapter or Room.Composition) => true,
        _ => false,
    };

    private static string Rule(Room from) => from switch
    {
        Room.Core => "the core references no other project",
        Room.Adapter => "an adapter references only the core (adapters do not reference each other)",
        Room.Composition => "the composition references only the core and the adapters",
        _ => "a host references only the core, the adapters and the composition (nothing references a host)",
    };

    /// <summary>The repository's projects under src/ and tests/, with the core's compiled references.</summary>
    public static IReadOnlyList<ProjectNode> ReadRepository(string root, IEnumerable<string> coreAssemblyReferences)
    {
        var nodes = new List<ProjectNode>();
        foreach (var csproj in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories)
                     .Concat(Directory.EnumerateFiles(Path.Combine(root, "tests"), "*.csproj", SearchOption.AllDirectories))
                     .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                         && !p.Contains($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var name = Path.GetFileNameWithoutExtension(csproj);
            var underTests = Path.GetRelativePath(root, csproj).StartsWith("tests", StringComparison.Ordinal);
            var room = ProductRooms.TryGetValue(name, out var r) ? r : Room.Tooling;
            if (!underTests && room == Room.Tooling && !ToolsUnderSrc.Contains(name))
            {
                throw new InvalidOperationException(
                    $"{name} is under src/ but in no room: add it to DependencyRules (product room or test tool) and to docs/architecture.md's map.");
            }

            var xml = XDocument.Load(csproj);
            string[] Items(string item) => [.. xml.Descendants(item).Select(e => (string?)e.Attribute("Include")).OfType<string>()];
            var directory = Path.GetDirectoryName(csproj)!;
            var imports = room == Room.Host
                ? Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
                    .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                    .SelectMany(f => UsingDirective().Matches(File.ReadAllText(f))
                        .Select(m => (Path.GetRelativePath(root, f), m.Groups["ns"].Value)))
                    .ToList()
                : [];
            nodes.Add(new ProjectNode(name, room, [.. Items("ProjectReference").Select(p => Path.GetFileNameWithoutExtension(p.Replace('\\', '/')))],
                Items("PackageReference"), Items("FrameworkReference"), imports)
            {
                AssemblyReferences = room == Room.Core ? [.. coreAssemblyReferences] : [],
            });
        }

        return nodes;
    }

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(?<ns>[A-Za-z_][\w.]*)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();
}
