package org.avsnode.toolchain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running anvil node on a loopback port chosen by the OS. Started with {@link #builder()},
 * stopped (with every child process) by {@link #close()} or, as a last resort, by a JVM shutdown
 * hook.
 */
public final class AnvilProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AnvilProcess.class);
  private static final Pattern LISTENING =
      Pattern.compile("Listening on ([0-9.]+|\\[[0-9a-f:]+\\]):(\\d+)");

  private final Process process;
  private final URI rpcUri;
  private final long chainId;
  private final Thread shutdownHook;
  private volatile boolean closed;

  private AnvilProcess(Process process, URI rpcUri, long chainId) {
    this.process = process;
    this.rpcUri = rpcUri;
    this.chainId = chainId;
    this.shutdownHook = new Thread(this::destroyTree, "anvil-shutdown-" + process.pid());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The HTTP JSON-RPC endpoint, e.g. {@code http://127.0.0.1:41487}. */
  public String rpcUrl() {
    return rpcUri.toString();
  }

  /** The WebSocket endpoint on the same port. */
  public String wsUrl() {
    return "ws://" + rpcUri.getHost() + ":" + rpcUri.getPort();
  }

  public int port() {
    return rpcUri.getPort();
  }

  public long chainId() {
    return chainId;
  }

  public long pid() {
    return process.pid();
  }

  public ProcessHandle processHandle() {
    return process.toHandle();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Stops anvil and its descendants; waits for them to exit. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    destroyTree();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook runs anyway
    }
  }

  private void destroyTree() {
    List<ProcessHandle> all = new ArrayList<>();
    process.toHandle().descendants().forEach(all::add);
    all.add(process.toHandle());
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (ProcessHandle h : all) {
      long left = deadline - System.nanoTime();
      try {
        h.onExit().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        h.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        h.destroyForcibly();
      } catch (ExecutionException e) {
        h.destroyForcibly();
      }
    }
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Options for a new anvil. Defaults: chain id 31337, auto-mining, 10 funded accounts. */
  public static final class Builder {
    private long chainId = 31337;
    private Duration blockTime;
    private int accounts = 10;
    private String hardfork = "prague";
    private Path logFile;
    private Duration startTimeout = Duration.ofSeconds(30);
    private final List<String> extraArgs = new ArrayList<>();

    private Builder() {}

    public Builder chainId(long chainId) {
      this.chainId = chainId;
      return this;
    }

    /** Mine a block every interval instead of one per transaction. */
    public Builder blockTime(Duration interval) {
      this.blockTime = interval;
      return this;
    }

    public Builder accounts(int accounts) {
      this.accounts = accounts;
      return this;
    }

    public Builder hardfork(String hardfork) {
      this.hardfork = Objects.requireNonNull(hardfork);
      return this;
    }

    /** Append anvil's output to this file instead of discarding it. */
    public Builder logFile(Path logFile) {
      this.logFile = logFile;
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    public Builder arg(String arg) {
      extraArgs.add(arg);
      return this;
    }

    public AnvilProcess start() {
      Path bin = Foundry.locate(Foundry.Tool.ANVIL);
      List<String> cmd = new ArrayList<>();
      cmd.add(bin.toString());
      cmd.add("--host");
      cmd.add("127.0.0.1");
      cmd.add("--port");
      cmd.add("0");
      cmd.add("--chain-id");
      cmd.add(Long.toString(chainId));
      cmd.add("--accounts");
      cmd.add(Integer.toString(accounts));
      cmd.add("--hardfork");
      cmd.add(hardfork);
      if (blockTime != null) {
        cmd.add("--block-time");
        cmd.add(Long.toString(Math.max(1, blockTime.toSeconds())));
      }
      cmd.addAll(extraArgs);
      ProcessBuilder pb = new ProcessBuilder(tiedToThisJvm(cmd)).redirectErrorStream(true);
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        throw new ToolchainException("could not start " + bin + ": " + e.getMessage(), e);
      }
      CompletableFuture<URI> listening = new CompletableFuture<>();
      Thread pump = new Thread(() -> pump(p, listening), "anvil-output-" + p.pid());
      pump.setDaemon(true);
      pump.start();
      URI uri;
      try {
        uri = listening.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill(p);
        throw new ToolchainException("interrupted while starting anvil", e);
      } catch (ExecutionException | TimeoutException e) {
        kill(p);
        throw new ToolchainException(
            "anvil did not report its port within " + startTimeout + " (exit: " + exitOf(p) + ")",
            e);
      }
      AnvilProcess anvil = new AnvilProcess(p, uri, chainId);
      try {
        anvil.awaitRpc(startTimeout);
      } catch (RuntimeException e) {
        anvil.close();
        throw e;
      }
      LOG.debug("anvil pid {} listening on {} (chain id {})", p.pid(), uri, chainId);
      return anvil;
    }

    /**
     * Runs {@code cmd} under a small POSIX shell that keeps this JVM's pipe on its standard input
     * and stops the command when that pipe reaches end of file. The kernel closes the pipe when
     * this JVM exits for any reason, SIGKILL included (when no shutdown hook runs), so an anvil
     * never outlives the program that started it. The shell is the process this class holds; {@link
     * #close()} stops it with its descendants.
     */
    static List<String> tiedToThisJvm(List<String> cmd) {
      String script =
          "exec 3<&0\n"
              + "\"$@\" 3<&- </dev/null &\n"
              + "child=$!\n"
              + "( cat <&3 >/dev/null; kill -TERM \"$child\" 2>/dev/null ) &\n"
              + "watcher=$!\n"
              + "exec 3<&-\n"
              + "trap 'kill -TERM \"$child\" 2>/dev/null' TERM INT\n"
              + "wait \"$child\"\n"
              + "status=$?\n"
              + "kill \"$watcher\" 2>/dev/null\n"
              + "exit $status\n";
      List<String> out = new ArrayList<>();
      out.add("/bin/sh");
      out.add("-c");
      out.add(script);
      out.add("anvil-tied-to-jvm");
      out.addAll(cmd);
      return out;
    }

    private void pump(Process p, CompletableFuture<URI> listening) {
      OutputStream log = null;
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        if (logFile != null) {
          Files.createDirectories(logFile.toAbsolutePath().getParent());
          log =
              Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        String line;
        while ((line = r.readLine()) != null) {
          if (!listening.isDone()) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
              listening.complete(URI.create("http://" + m.group(1) + ":" + m.group(2)));
            }
          }
          if (log != null) {
            log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            log.flush();
          }
        }
      } catch (IOException e) {
        listening.completeExceptionally(e);
      } finally {
        listening.completeExceptionally(new IOException("anvil output closed"));
        if (log != null) {
          try {
            log.close();
          } catch (IOException ignored) {
            // nothing more to write
          }
        }
      }
    }

    private static String exitOf(Process p) {
      return p.isAlive() ? "still running" : Integer.toString(p.exitValue());
    }

    private static void kill(Process p) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void awaitRpc(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest req =
        HttpRequest.newBuilder(rpcUri)
            .timeout(Duration.ofSeconds(2))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}"))
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new ToolchainException(
            "anvil exited with " + process.exitValue() + " while starting");
      }
      try {
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() == 200 && resp.body().contains("\"result\"")) {
          return;
        }
      } catch (IOException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ToolchainException("interrupted while waiting for anvil", e);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ToolchainException("interrupted while waiting for anvil", e);
      }
    }
    throw new ToolchainException("anvil at " + rpcUri + " did not answer within " + timeout, last);
  }
}
