using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Integration.Standalone.OperatorConsole.Pages;

/// <summary>An SVG <c>&lt;text&gt;</c> label of a chart (written in C#: in a .razor file <c>&lt;text&gt;</c> is Razor's own tag).</summary>
public sealed class SvgText : ComponentBase
{
    [Parameter] public double X { get; set; }

    [Parameter] public double Y { get; set; }

    [Parameter] public string Anchor { get; set; } = "start";

    [Parameter] public string Value { get; set; } = "";

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenElement(0, "text");
        builder.AddAttribute(1, "class", "tick");
        builder.AddAttribute(2, "x", X.ToString("0.##", CultureInfo.InvariantCulture));
        builder.AddAttribute(3, "y", Y.ToString("0.##", CultureInfo.InvariantCulture));
        builder.AddAttribute(4, "text-anchor", Anchor);
        builder.AddContent(5, Value);
        builder.CloseElement();
    }
}
