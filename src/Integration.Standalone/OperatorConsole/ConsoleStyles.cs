namespace Integration.Standalone.OperatorConsole;

/// <summary>The console's one stylesheet (served at <c>/console/console.css</c>; the CSP allows styles from the console's own origin only).</summary>
internal static class ConsoleStyles
{
    public const string Css = """
        :root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.4; }
        body { margin: 0; color: #1b1f24; background: #f6f7f9; }
        header { background: #1f3a5f; color: #fff; padding: .5rem 1.5rem; display: flex; gap: 2rem; align-items: center; flex-wrap: wrap; }
        header a { color: #fff; }
        header ul { list-style: none; display: flex; gap: 1.25rem; margin: 0; padding: 0; }
        header [aria-current=page] { font-weight: 700; text-decoration-thickness: 3px; }
        .brand { font-weight: 700; margin: 0; }
        main { padding: 1rem 1.5rem 3rem; max-width: 90rem; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; color: #000; padding: .5rem; }
        table { border-collapse: collapse; background: #fff; margin: .5rem 0 1.5rem; }
        caption { text-align: left; font-weight: 600; padding: .25rem 0; white-space: nowrap; }
        th, td { border: 1px solid #c9ced6; padding: .3rem .6rem; text-align: left; vertical-align: top; max-width: 20rem; overflow-wrap: anywhere; }
        th { background: #e9edf2; }
        td.error { max-width: 40rem; font-family: ui-monospace, monospace; font-size: .85rem; white-space: pre-wrap; }
        form.filter { display: flex; gap: 1rem; flex-wrap: wrap; align-items: end; background: #fff; padding: .75rem; border: 1px solid #c9ced6; margin-bottom: 1rem; }
        label { display: flex; flex-direction: column; font-size: .9rem; gap: .2rem; }
        button { padding: .4rem .9rem; font: inherit; cursor: pointer; }
        :focus-visible { outline: 3px solid #f4b400; outline-offset: 2px; }
        .note { background: #fff8e1; border-left: 4px solid #f4b400; padding: .5rem .75rem; }
        .problem { background: #fdecea; border-left: 4px solid #c62828; padding: .5rem .75rem; }
        .ok { background: #e8f5e9; border-left: 4px solid #2e7d32; padding: .5rem .75rem; }
        .charts { display: flex; gap: 1.5rem; flex-wrap: wrap; }
        figure.chart { margin: .25rem 0 1rem; background: #fff; border: 1px solid #c9ced6; padding: .5rem; }
        figure.chart figcaption { font-size: .9rem; }
        svg .axis { stroke: #6b7480; stroke-width: 1; }
        svg .tick { font-size: 10px; fill: #3d444d; }
        svg rect.series { fill: #1f3a5f; }
        svg polyline.series { fill: none; stroke: #c2185b; stroke-width: 2; }
        svg circle.series { fill: #c2185b; }
        td.circuit.closed { background: #e8f5e9; } td.circuit.open { background: #fdecea; font-weight: 700; } td.circuit.probing { background: #fff8e1; }
        """;
}
