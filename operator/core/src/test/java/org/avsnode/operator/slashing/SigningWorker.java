package org.avsnode.operator.slashing;

import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Properties;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;

/**
 * A node-like child process for the integration tests: signs FinalityAttestations for heights
 * {@code start .. start+count-1} (or forever if count is -1) with content {@code variant}, through
 * a {@link ProtectedSigner}, and appends "height digest signature" for every signature it gets to
 * the output file, written out before the next signing. The secret key is read from a file, never
 * from the command line.
 *
 * <p>Usage: {@code SigningWorker h2|pg <dir|jdbcUrl> <keyFile> <outFile> <start> <count> <variant>
 * [preconf]}: with {@code preconf}, it signs a Preconfirmation per height instead ({@link
 * #preconfirmation}: 64 transactions a slot), as a SQUAD leader does.
 */
public final class SigningWorker {
  static final Eip712Domain DOMAIN = Eip712Domain.avsNode(31337, filled(20, 0x77));
  static final long ROLLUP = 9;

  private SigningWorker() {}

  static byte[] filled(int len, int v) {
    byte[] b = new byte[len];
    java.util.Arrays.fill(b, (byte) v);
    return b;
  }

  /** The attestation content for (height, variant): variants differ in l2BlockHash. */
  static FinalityAttestation attestation(long height, int variant) {
    byte[] blockHash = new byte[32];
    blockHash[0] = (byte) 0xbb;
    java.nio.ByteBuffer.wrap(blockHash, 8, 16).putLong(height).putLong(variant);
    return new FinalityAttestation(ROLLUP, height, blockHash, filled(32, 0x0e), 1);
  }

  /** The preconfirmation for (height, variant): slot height / 64, a transaction of its own. */
  static org.avsnode.bls.eip712.Preconfirmation preconfirmation(long height, int variant) {
    byte[] tx = new byte[32];
    tx[0] = (byte) 0xcc;
    java.nio.ByteBuffer.wrap(tx, 8, 16).putLong(height).putLong(variant);
    return new org.avsnode.bls.eip712.Preconfirmation(ROLLUP, height / 64, tx);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 7 && !(args.length == 8 && args[7].equals("preconf"))) {
      System.err.println(
          "usage: SigningWorker h2|pg <dir|jdbcUrl> <keyFile> <outFile> <start> <count> <variant>");
      System.exit(2);
    }
    SlashingDomain domain = ProtectedSigner.slashingDomain(DOMAIN);
    SlashingProtection db;
    if (args[0].equals("h2")) {
      db = EmbeddedSlashingProtection.open(Path.of(args[1]), domain);
    } else {
      db = PostgresSlashingProtection.open(args[1], new Properties(), domain, 2);
    }
    BlsSecretKey sk = BlsSecretKey.fromBytes(Files.readAllBytes(Path.of(args[2])));
    ProtectedSigner signer = new ProtectedSigner(sk, db, DOMAIN, null);
    long start = Long.parseLong(args[4]);
    long count = Long.parseLong(args[5]);
    int variant = Integer.parseInt(args[6]);
    HexFormat hex = HexFormat.of();
    System.out.println("READY");
    System.out.flush();
    long unavailable = 0;
    try (OutputStream out = new FileOutputStream(args[3], true)) {
      for (long h = start; count < 0 || h < start + count; h++) {
        SigningResult r =
            args.length == 8
                ? signer.sign(preconfirmation(h, variant))
                : signer.sign(attestation(h, variant));
        if (r.isSigned()) {
          String line =
              h
                  + " "
                  + hex.formatHex(r.digest())
                  + " "
                  + hex.formatHex(r.signature().toBytes())
                  + "\n";
          // unbuffered: in the OS before the next signing, so SIGKILL cannot lose it
          out.write(line.getBytes(StandardCharsets.US_ASCII));
        } else if (r.reason() == RefusalReason.PROTECTION_UNAVAILABLE) {
          unavailable++;
          System.err.println("unavailable at " + h + ": " + r.detail());
        }
      }
    } finally {
      db.close();
    }
    System.out.println("DONE unavailable=" + unavailable);
    System.exit(unavailable == 0 ? 0 : 3);
  }
}
