package org.avsnode.bls.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;

/**
 * Deterministic benchmark inputs: N keys (EIP-2333 KeyGen from a counter) and their signatures over
 * one message (or over N distinct messages). Generating 10,000 signatures takes seconds, and JMH
 * runs every benchmark in a fresh JVM, so the encodings are cached under java.io.tmpdir (they are
 * public test data derived from fixed seeds, not secrets of anyone).
 */
final class BenchInputs {
  static final byte[] MESSAGE =
      "avs-node benchmark: one attestation digest".getBytes(StandardCharsets.UTF_8);
  static final byte[] WRONG = "some other message".getBytes(StandardCharsets.UTF_8);

  final byte[][] publicKeys;
  final byte[][] signatures;
  final byte[][] wrongSignatures;
  final byte[][] messages;

  private BenchInputs(byte[][] pks, byte[][] sigs, byte[][] wrong, byte[][] msgs) {
    this.publicKeys = pks;
    this.signatures = sigs;
    this.wrongSignatures = wrong;
    this.messages = msgs;
  }

  static byte[] distinctMessage(int i) {
    return ByteBuffer.allocate(32).putInt(28, i).array();
  }

  static BlsSecretKey key(int i) {
    byte[] ikm = new byte[32];
    ByteBuffer.wrap(ikm).putInt(0, 0x5eed).putInt(28, i);
    return BlsSecretKey.keyGen(ikm);
  }

  /** Keys i with signatures over MESSAGE, over WRONG, and over distinctMessage(i). */
  static BenchInputs load(int n) {
    Path file =
        Path.of(System.getProperty("java.io.tmpdir"), "avs-bls-bench", "inputs-v1-" + n + ".bin");
    byte[][] pks = new byte[n][];
    byte[][] sigs = new byte[n][];
    byte[][] wrong = new byte[n][];
    byte[][] msgs = new byte[n][];
    for (int i = 0; i < n; i++) {
      msgs[i] = distinctMessage(i);
    }
    if (Files.isRegularFile(file)) {
      try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
        for (int i = 0; i < n; i++) {
          pks[i] = in.readNBytes(48);
          sigs[i] = in.readNBytes(96);
          wrong[i] = in.readNBytes(96);
        }
        return new BenchInputs(pks, sigs, wrong, msgs);
      } catch (IOException e) {
        // fall through and regenerate
      }
    }
    IntStream.range(0, n)
        .parallel()
        .forEach(
            i -> {
              BlsSecretKey sk = key(i);
              pks[i] = sk.publicKey().toBytes();
              sigs[i] = sk.sign(MESSAGE).toBytes();
              wrong[i] = sk.sign(WRONG).toBytes();
            });
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), "inputs", ".tmp");
      try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(tmp))) {
        for (int i = 0; i < n; i++) {
          out.write(pks[i]);
          out.write(sigs[i]);
          out.write(wrong[i]);
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new BenchInputs(pks, sigs, wrong, msgs);
  }

  List<BlsPublicKey> decodedKeys() {
    List<BlsPublicKey> keys = new ArrayList<>(publicKeys.length);
    for (byte[] pk : publicKeys) {
      keys.add(BlsPublicKey.fromBytes(pk));
    }
    return keys;
  }
}
