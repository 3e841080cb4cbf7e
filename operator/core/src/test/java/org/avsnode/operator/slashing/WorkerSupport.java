package org.avsnode.operator.slashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.SignatureSet;

/** Starting {@link SigningWorker} processes and reading what they signed. */
final class WorkerSupport {
  private WorkerSupport() {}

  record Signed(long height, byte[] digest, byte[] signature) {}

  /** A fresh secret key written to an owner-only file; returns its public key. */
  static BlsPublicKey writeKey(Path keyFile) throws IOException {
    BlsSecretKey sk = BlsSecretKey.random(new SecureRandom());
    Files.createFile(
        keyFile,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(keyFile, sk.toBytes());
    return sk.publicKey();
  }

  static Process start(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Xshare:auto");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(SigningWorker.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  /** Waits until the worker's log says READY (database open) or it exits. */
  static void awaitReady(Process p, Path log, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains("READY")) {
        return;
      }
      if (!p.isAlive()) {
        throw new AssertionError("worker exited early: " + Files.readString(log));
      }
      Thread.sleep(5);
    }
    throw new AssertionError("worker not ready in time: " + Files.readString(log));
  }

  static void stop(Process p) throws InterruptedException {
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Complete lines of a worker's output; a last line cut off by SIGKILL is ignored. */
  static List<Signed> read(Path out) throws IOException {
    List<Signed> res = new ArrayList<>();
    if (!Files.exists(out)) {
      return res;
    }
    String text = Files.readString(out, StandardCharsets.US_ASCII);
    int end = text.lastIndexOf('\n');
    if (end < 0) {
      return res;
    }
    HexFormat hex = HexFormat.of();
    for (String line : text.substring(0, end).split("\n")) {
      String[] f = line.split(" ");
      assertThat(f).as("malformed line %s", line).hasSize(3);
      res.add(new Signed(Long.parseLong(f[0]), hex.parseHex(f[1]), hex.parseHex(f[2])));
    }
    return res;
  }

  /** Every signature verifies for its digest under {@code pk} (batched). */
  static void assertAllVerify(BlsPublicKey pk, List<Signed> signed) {
    List<SignatureSet> batch = new ArrayList<>();
    for (Signed s : signed) {
      batch.add(new SignatureSet(pk, s.digest(), BlsSignature.fromBytes(s.signature())));
      if (batch.size() == 512) {
        assertThat(Bls.batchVerify(batch)).as("signatures verify").isTrue();
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      assertThat(Bls.batchVerify(batch)).as("signatures verify").isTrue();
    }
  }
}
