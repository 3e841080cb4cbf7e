package org.avsnode.toolchain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The devnet ZK rollup's proving engine: a long-lived {@code node zk/scripts/prove.js} process
 * (snarkjs, Groth16 over BN254) that proves one batch per request, with the artifacts {@code
 * zk/build.sh} made. The process reads its requests on standard input, so it exits when this JVM
 * does, whatever way it ends. Requests are served one at a time, in order.
 */
public final class ZkProver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A Groth16 proof with {@code b} in the order the Solidity verifier takes, the 8 public inputs
   * the prover used, and whether snarkjs verified it itself.
   */
  public record Proof(
      BigInteger[] a,
      BigInteger[][] b,
      BigInteger[] c,
      List<BigInteger> publicInputs,
      boolean verifiedByProver,
      long proveMillis) {

    /**
     * The proof as the 8 words ZkBatchProposer and SlashingCoordinator take: a.x, a.y, b.x1, b.x0,
     * b.y1, b.y0, c.x, c.y.
     */
    public List<BigInteger> words() {
      return List.of(a[0], a[1], b[0][0], b[0][1], b[1][0], b[1][1], c[0], c[1]);
    }
  }

  private final Process process;
  private final OutputStream requests;
  private final BufferedReader answers;
  private final Duration timeout;
  private final Thread shutdownHook;
  private boolean closed;

  private ZkProver(Process process, Duration timeout) {
    this.process = process;
    this.requests = process.getOutputStream();
    this.answers =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.timeout = timeout;
    this.shutdownHook = new Thread(process::destroyForcibly, "zk-prover-shutdown-" + process.pid());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * The directory {@code zk/build.sh} writes: the system property {@code avs.zk.dir}, the
   * environment variable {@code AVS_ZK_DIR}, or {@code zk/target/zk} under the repository root.
   */
  public static Path artifactsDir() {
    String v = System.getProperty("avs.zk.dir");
    if (v == null || v.isBlank()) {
      v = System.getenv("AVS_ZK_DIR");
    }
    Path dir;
    if (v != null && !v.isBlank()) {
      dir = Paths.get(v).toAbsolutePath();
    } else {
      Path root =
          Foundry.repositoryRoot()
              .orElseThrow(
                  () ->
                      new ToolchainException(
                          "the repository root (with zk/target/zk) was not found; set AVS_ZK_DIR"));
      dir = root.resolve("zk/target/zk");
    }
    if (!Files.isRegularFile(dir.resolve("batch.zkey"))
        || !Files.isRegularFile(dir.resolve("solc/Groth16Verifier.bin"))) {
      throw new ToolchainException(
          "ZK artifacts not found in " + dir + "; run `bash zk/build.sh` (or the Maven build)");
    }
    return dir;
  }

  /** The creation bytecode (hex, no 0x) of the generated Groth16 verifier. */
  public static String verifierBytecode(Path artifactsDir) {
    try {
      return Files.readString(artifactsDir.resolve("solc/Groth16Verifier.bin")).trim();
    } catch (IOException e) {
      throw new ToolchainException("cannot read the Groth16 verifier: " + e.getMessage(), e);
    }
  }

  /** Starts a prover on the artifacts in {@code artifactsDir}. */
  public static ZkProver start(Path artifactsDir, Duration timeout) {
    Path script = artifactsDir.resolve("../../scripts/prove.js").normalize();
    if (!Files.isRegularFile(script)) {
      script =
          Foundry.repositoryRoot()
              .map(r -> r.resolve("zk/scripts/prove.js"))
              .filter(Files::isRegularFile)
              .orElseThrow(() -> new ToolchainException("zk/scripts/prove.js not found"));
    }
    ProcessBuilder pb =
        new ProcessBuilder("node", script.toString(), artifactsDir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    try {
      return new ZkProver(pb.start(), timeout);
    } catch (IOException e) {
      throw new ToolchainException(
          "could not start the prover (node on PATH?): " + e.getMessage(), e);
    }
  }

  /** Proves one batch; each value is 32 bytes. Throws when the prover fails or times out. */
  public synchronized Proof prove(
      byte[] prevStateRoot, byte[] newStateRoot, byte[] lastBlockHash, byte[] txCommitment) {
    if (closed) {
      throw new ToolchainException("the prover is closed");
    }
    String request =
        JSON.createObjectNode()
                .put("prevStateRoot", hex32(prevStateRoot))
                .put("newStateRoot", hex32(newStateRoot))
                .put("lastBlockHash", hex32(lastBlockHash))
                .put("txCommitment", hex32(txCommitment))
                .toString()
            + "\n";
    String line;
    try {
      requests.write(request.getBytes(StandardCharsets.UTF_8));
      requests.flush();
      CompletableFuture<String> read =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return answers.readLine();
                } catch (IOException e) {
                  throw new ToolchainException("the prover's output failed: " + e.getMessage(), e);
                }
              });
      line = read.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException e) {
      throw new ToolchainException("the prover is gone: " + e.getMessage(), e);
    } catch (TimeoutException e) {
      close();
      throw new ToolchainException("the prover took more than " + timeout + "; stopped it", e);
    } catch (ExecutionException e) {
      throw new ToolchainException("the prover failed: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ToolchainException("interrupted while proving", e);
    }
    if (line == null) {
      throw new ToolchainException("the prover exited (exit " + exitOf() + ")");
    }
    try {
      JsonNode n = JSON.readTree(line);
      if (n.has("error")) {
        throw new ToolchainException("the prover refused: " + n.get("error").asText());
      }
      BigInteger[][] b = new BigInteger[2][];
      b[0] = pair(n.get("b").get(0));
      b[1] = pair(n.get("b").get(1));
      List<BigInteger> pub = new ArrayList<>();
      n.get("publicInputs").forEach(x -> pub.add(new BigInteger(x.asText())));
      return new Proof(
          pair(n.get("a")),
          b,
          pair(n.get("c")),
          List.copyOf(pub),
          n.path("verified").asBoolean(false),
          n.path("proveMillis").asLong());
    } catch (IOException | RuntimeException e) {
      if (e instanceof ToolchainException te) {
        throw te;
      }
      throw new ToolchainException("the prover's answer does not parse: " + e.getMessage(), e);
    }
  }

  private static BigInteger[] pair(JsonNode n) {
    return new BigInteger[] {new BigInteger(n.get(0).asText()), new BigInteger(n.get(1).asText())};
  }

  private static String hex32(byte[] v) {
    if (v.length != 32) {
      throw new IllegalArgumentException("expected 32 bytes, got " + v.length);
    }
    return "0x" + HexFormat.of().formatHex(v);
  }

  private String exitOf() {
    return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Closes the prover's input (it exits once it has answered) and waits; kills it after 5 s. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      requests.close();
    } catch (IOException ignored) {
      // the process is gone already
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down; the hook runs anyway
    }
  }
}
