using System.Diagnostics;
using System.Text;

namespace Integration.Testing;

/// <summary>A child process a fixture started; stopped by its process id (the whole tree) on dispose.</summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _head = new();
    private readonly Action<string>? _onLine;

    private ManagedProcess(Process process, Action<string>? onLine)
    {
        _process = process;
        _onLine = onLine;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last part of what the process printed, for failure messages.</summary>
    public string RecentOutput
    {
        get
        {
            lock (_output)
            {
                var text = _output.ToString();
                return text.Length > 4000 ? text[^4000..] : text;
            }
        }
    }

    /// <summary>The first part of what the process printed (up to 16,000 characters, never trimmed): its banner.</summary>
    public string FirstOutput
    {
        get
        {
            lock (_output)
            {
                return _head.ToString();
            }
        }
    }

    /// <summary>Whether the process has printed <paramref name="text"/> in its first part or in the part kept since (not only the last 4,000 characters).</summary>
    public bool HasPrinted(string text)
    {
        lock (_output)
        {
            return _head.ToString().Contains(text, StringComparison.Ordinal) || _output.ToString().Contains(text, StringComparison.Ordinal);
        }
    }

    /// <param name="onLine">Called with every line the process prints (stdout and stderr), for callers that count log lines.</param>
    public static ManagedProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var managed = new ManagedProcess(process, onLine);
        process.OutputDataReceived += (_, e) => managed.Append(e.Data);
        process.ErrorDataReceived += (_, e) => managed.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>
    /// Waits for the process to end and returns its exit code; when it runs longer than <paramref name="timeout"/> it is
    /// killed (whole tree) and the result is -1.
    /// </summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _process.Kill(entireProcessTree: true);
            return -1;
        }

        // The asynchronous output readers may still be draining: let them finish before callers read RecentOutput.
        await _process.WaitForExitAsync(CancellationToken.None);
        return _process.ExitCode;
    }

    /// <summary>Kills the process (whole tree) at once, as a crash would end it; <see cref="WaitForExitAsync"/> then returns.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Killed but not reaped in time; nothing more a test can do.
            }
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        _onLine?.Invoke(line);
        lock (_output)
        {
            _output.AppendLine(line);
            if (_head.Length < 16_000)
            {
                _head.AppendLine(line);
            }

            if (_output.Length > 64_000)
            {
                _output.Remove(0, _output.Length - 16_000); // only the recent part is ever read: a long run must not grow without bound
            }
        }
    }
}
