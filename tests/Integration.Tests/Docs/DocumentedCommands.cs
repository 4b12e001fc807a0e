using System.Text;
using System.Text.RegularExpressions;
using Integration.Testing;

namespace Integration.Tests.Docs;

/// <summary>One command of a fenced <c>bash</c> block in README.md or docs/*.md, as a reader would paste it.</summary>
/// <param name="File">The file, relative to the repository root.</param>
/// <param name="Line">Its first line in the file.</param>
/// <param name="Text">The command, continuation lines joined as bash reads them.</param>
/// <param name="Assignments">The <c>NAME=value</c> lines above it in the same block (a reader's shell has them set).</param>
public sealed record DocumentedCommand(string File, int Line, string Text, IReadOnlyList<string> Assignments)
{
    public override string ToString() => $"{File}:{Line}: {Text}";
}

/// <summary>Reads the commands of every fenced <c>bash</c> block of README.md and docs/*.md.</summary>
public static partial class DocumentedCommands
{
    public static IReadOnlyList<DocumentedCommand> All() =>
    [
        .. Read("README.md"),
        .. Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md").Order(StringComparer.Ordinal)
            .SelectMany(f => Read(Path.GetRelativePath(RepositoryPaths.Root, f))),
    ];

    /// <summary>The commands of <paramref name="file"/>'s bash blocks: blank and comment lines dropped, a line ending in
    /// <c>\</c> or inside an open quote continued on the next.</summary>
    public static IEnumerable<DocumentedCommand> Read(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, file));
        var inBash = false;
        var assignments = new List<string>();
        var command = new StringBuilder();
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimStart();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBash = !inBash && line.Trim() == "```bash";
                assignments.Clear();
                continue;
            }

            if (!inBash || (command.Length == 0 && (line.Length == 0 || line.StartsWith('#'))))
            {
                continue;
            }

            if (command.Length == 0)
            {
                start = i + 1;
            }

            command.Append(command.Length == 0 ? "" : "\n").Append(line);
            var text = command.ToString();
            if (text.EndsWith('\\') || EndsInsideQuotes(text))
            {
                continue;
            }

            command.Clear();
            if (Assignment().IsMatch(text))
            {
                assignments.Add(text);
                continue;
            }

            yield return new DocumentedCommand(file, start, text, [.. assignments]);
        }
    }

    /// <summary>Whether bash would still be inside a quoted string at the end of <paramref name="text"/> (comments skipped).</summary>
    private static bool EndsInsideQuotes(string text)
    {
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is null && c == '#' && (i == 0 || char.IsWhiteSpace(text[i - 1])))
            {
                var end = text.IndexOf('\n', i);
                if (end < 0)
                {
                    break;
                }

                i = end;
            }
            else if (c == '\\' && quote != '\'')
            {
                i++;
            }
            else if (quote is null && c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == quote)
            {
                quote = null;
            }
        }

        return quote is not null;
    }

    [GeneratedRegex(@"^[A-Z_][A-Z0-9_]*=[^ ]*(\s+#.*)?$")]
    private static partial Regex Assignment();
}
