using Integration.Testing;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Integration.Tests.Console;

/// <summary>
/// Debian's headless Chromium driven through its own chromium-driver (installed by tests/env/setup-browser.sh; never a
/// downloaded browser or driver), with a fresh profile per instance. Screenshots go to <c>docs/console</c>: the test
/// regenerates the ones the docs show.
/// </summary>
public sealed class ChromiumBrowser : IDisposable
{
    public const string BrowserPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";

    private readonly string _profile = Directory.CreateTempSubdirectory("console-chromium-").FullName;
    private readonly ChromeDriver _driver;

    public ChromiumBrowser()
    {
        var options = new ChromeOptions { BinaryLocation = BrowserPath };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=1400,1000", "--user-data-dir=" + _profile);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        _driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Null when the browser is installed; the skip reason on a developer machine without it; an exception when
    /// <c>CI=true</c>, so CI never goes green with the browser tests skipped.
    /// </summary>
    public static string? SkipReason
    {
        get
        {
            if (File.Exists(BrowserPath) && File.Exists(DriverPath))
            {
                return null;
            }

            const string reason = "Chromium and chromium-driver are not installed (/usr/bin/chromium, /usr/bin/chromedriver): run tests/env/setup-browser.sh.";
            if (string.Equals(Environment.GetEnvironmentVariable("CI")?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException("CI=true: " + reason);
            }

            return reason;
        }
    }

    public static string ScreenshotFolder => Path.Combine(RepositoryPaths.Root, "docs", "console");

    public IWebDriver Driver => _driver;

    public void Open(Uri url) => _driver.Navigate().GoToUrl(url);

    public IWebElement Find(string css) => _driver.FindElement(By.CssSelector(css));

    public IReadOnlyList<IWebElement> FindAll(string css) => _driver.FindElements(By.CssSelector(css));

    public string Text => _driver.FindElement(By.TagName("body")).Text;

    /// <summary>
    /// Clicks a submit button (or link) and waits until the browser has left the page it was on and the next one has
    /// loaded: a click returns once the event is dispatched, not once the navigation it starts has finished, so reading
    /// the page right after it can still read the old one.
    /// </summary>
    public void Submit(string css)
    {
        var page = _driver.FindElement(By.TagName("html"));
        Find(css).Click();
        WaitUntil(() => IsStale(page) && Equals(((IJavaScriptExecutor)_driver).ExecuteScript("return document.readyState"), "complete"),
            $"the page after clicking {css}", TimeSpan.FromSeconds(30));
    }

    /// <summary>Polls the current page (no reload) until the condition holds, or fails naming what it waited for.</summary>
    public void WaitUntil(Func<bool> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Holds(condition))
        {
            if (DateTime.UtcNow >= deadline)
            {
                // The message reads the page only now: between two pages there may be no body to read.
                Assert.Fail($"Waited {timeout.TotalSeconds:0} s for {what}; the page at {_driver.Url} says:\n{PageTextOrWhyNot()}");
            }

            Thread.Sleep(100);
        }
    }

    private string PageTextOrWhyNot()
    {
        try
        {
            return Text;
        }
        catch (WebDriverException ex)
        {
            return $"(no page text to read: {ex.GetType().Name})";
        }
    }

    private static bool Holds(Func<bool> condition)
    {
        try
        {
            return condition();
        }
        catch (WebDriverException)
        {
            // Between two pages an element can be gone or stale: not yet.
            return false;
        }
    }

    private static bool IsStale(IWebElement element)
    {
        try
        {
            _ = element.Enabled;
            return false;
        }
        catch (StaleElementReferenceException)
        {
            return true;
        }
    }

    /// <summary>Reloads until the page's text satisfies the condition, or fails naming what it waited for.</summary>
    public async Task WaitForTextAsync(Func<string, bool> condition, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Holds(() => condition(Text)))
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"Waited {timeout.TotalSeconds:0} s for {what}; the page says:\n{PageTextOrWhyNot()}");
            }

            await Task.Delay(500, cancellationToken);
            _driver.Navigate().Refresh();
        }
    }

    /// <summary>Saves a full-window screenshot as a test artefact and returns its path.</summary>
    public string Screenshot(string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var path = Path.Combine(ScreenshotFolder, name + ".png");
        _driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    public void Dispose()
    {
        _driver.Quit();
        _driver.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be flushing its profile; the temp folder is cleaned with the machine's temp.
        }
    }
}
