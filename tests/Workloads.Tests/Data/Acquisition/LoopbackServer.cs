using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PerfTests.Workloads.Tests.Data.Acquisition;

/// <summary>A request as the loopback server saw it.</summary>
internal sealed record LoopbackRequest(string Path, long? RangeStart);

/// <summary>
/// What the loopback server answers. <see cref="DeclaredLength"/> is the Content-Length sent (default: the body's
/// length); <see cref="SendOnly"/> cuts the connection after that many body bytes, as a dropped transfer would.
/// </summary>
internal sealed record LoopbackResponse(int Status, byte[] Body)
{
    public long? DeclaredLength { get; init; }
    public int? SendOnly { get; init; }
    /// <summary>After the bytes sent, keep the connection open and silent (a stalled transfer) until the server stops.</summary>
    public bool HoldOpen { get; init; }
    public string? ContentRange { get; init; }

    public static LoopbackResponse NotFound { get; } = new(404, "not found"u8.ToArray());

    /// <summary>200 with the whole file, whatever Range was asked for.</summary>
    public static LoopbackResponse Whole(byte[] file) => new(200, file);

    /// <summary>206 with the rest of the file when a Range was asked for, else 200 with all of it.</summary>
    public static LoopbackResponse HonouringRange(byte[] file, LoopbackRequest request)
    {
        if (request.RangeStart is not { } start) return Whole(file);
        if (start >= file.Length) return new LoopbackResponse(416, []) { ContentRange = $"bytes */{file.Length}" };
        return new LoopbackResponse(206, file[(int)start..]) { ContentRange = $"bytes {start}-{file.Length - 1}/{file.Length}" };
    }
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 and a free port, answering each request (one per connection) with what
/// the handler says, so that downloads can be tested without the internet and with exact control over failures.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly TcpListener listener;
    private readonly Func<LoopbackRequest, LoopbackResponse> handler;
    private readonly CancellationTokenSource stopping = new();
    private long bodyBytesSent;

    public LoopbackServer(Func<LoopbackRequest, LoopbackResponse> handler)
    {
        this.handler = handler;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        _ = AcceptLoopAsync();
    }

    public Uri BaseUri { get; }

    public ConcurrentQueue<LoopbackRequest> Requests { get; } = new();

    /// <summary>Body bytes written to clients so far, over all requests.</summary>
    public long BodyBytesSent => Interlocked.Read(ref bodyBytesSent);

    public Uri Url(string path) => new(BaseUri, path);

    /// <summary>A URL on a port where nothing listens: connecting to it is refused.</summary>
    public static Uri UnreachableUrl(string path)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new Uri($"http://127.0.0.1:{port}/{path}");
    }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream);
                if (request is null) return;
                Requests.Enqueue(request);
                var response = handler(request);

                var head = new StringBuilder();
                head.Append($"HTTP/1.1 {response.Status} {ReasonPhrase(response.Status)}\r\n");
                head.Append($"Content-Length: {response.DeclaredLength ?? response.Body.Length}\r\n");
                head.Append("Accept-Ranges: bytes\r\nConnection: close\r\n");
                if (response.ContentRange is { } range) head.Append($"Content-Range: {range}\r\n");
                head.Append("\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));

                int count = Math.Min(response.SendOnly ?? response.Body.Length, response.Body.Length);
                await stream.WriteAsync(response.Body.AsMemory(0, count));
                Interlocked.Add(ref bodyBytesSent, count);
                await stream.FlushAsync();
                if (response.HoldOpen) await Task.Delay(Timeout.Infinite, stopping.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // The client hung up first, or the server is stopping.
            }
        }
    }

    private static async Task<LoopbackRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (!EndsWithBlankLine(received))
        {
            int read = await stream.ReadAsync(buffer);
            if (read == 0) return null;
            received.AddRange(buffer.AsSpan(0, read));
        }
        var lines = Encoding.ASCII.GetString(received.ToArray()).Split("\r\n");
        var path = lines[0].Split(' ')[1];
        long? rangeStart = null;
        foreach (var line in lines.Skip(1))
        {
            if (!line.StartsWith("Range:", StringComparison.OrdinalIgnoreCase)) continue;
            var spec = line["Range:".Length..].Trim();
            rangeStart = long.Parse(spec["bytes=".Length..spec.IndexOf('-', StringComparison.Ordinal)]);
        }
        return new LoopbackRequest(path, rangeStart);
    }

    private static bool EndsWithBlankLine(List<byte> bytes) =>
        bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n';

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        206 => "Partial Content",
        404 => "Not Found",
        416 => "Range Not Satisfiable",
        _ => "Status",
    };

    public void Dispose()
    {
        stopping.Cancel();
        listener.Stop();
        stopping.Dispose();
    }
}
