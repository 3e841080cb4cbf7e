package org.avsnode.operator.app.slashing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.app.config.ConfigDefaultProvider;
import org.avsnode.operator.slashing.ImportReport;
import org.avsnode.operator.slashing.Interchange;
import org.avsnode.operator.slashing.InterchangeJson;
import org.avsnode.operator.slashing.MessageKind;
import org.avsnode.operator.slashing.SlashingProtection;
import org.avsnode.operator.slashing.SlashingProtectionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code operator slashing-protection export|import|prune}. */
@Command(
    name = "slashing-protection",
    mixinStandardHelpOptions = true,
    description =
        "Move or trim the slashing-protection history (JSON interchange modelled on EIP-3076)."
            + " Stop the node first when it uses the embedded database.",
    subcommands = {
      SlashingProtectionCommand.Export.class,
      SlashingProtectionCommand.Import.class,
      SlashingProtectionCommand.Prune.class
    })
public final class SlashingProtectionCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: export, import or prune");
  }

  /** Writes the whole history to a file. */
  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      defaultValueProvider = ConfigDefaultProvider.class,
      description = "Write the whole history to a JSON file (taken under every key's lock).")
  static final class Export implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin SlashingDbOptions db;

    @Option(
        names = "--to",
        required = true,
        paramLabel = "FILE",
        description = "Output file; written atomically, never overwritten.")
    Path to;

    @Override
    public Integer call() {
      if (Files.exists(to)) {
        throw new UserException(to + " exists; choose another file");
      }
      Interchange history;
      try (SlashingProtection sp = db.open()) {
        history = sp.exportHistory();
      } catch (SlashingProtectionException e) {
        throw new UserException("export failed: " + e.getMessage(), e);
      }
      Path abs = to.toAbsolutePath();
      Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
      try {
        try (OutputStream out =
            Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          InterchangeJson.write(history, out);
        }
        try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the original error is the one to report
        }
        throw new UserException("cannot write " + to + ": " + e.getMessage(), e);
      }
      int records = history.keys().stream().mapToInt(k -> k.entries().size()).sum();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("exported %d keys, %d records to %s%n", history.keys().size(), records, abs);
      out.flush();
      return 0;
    }
  }

  /** Merges a history file into the database. */
  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      defaultValueProvider = ConfigDefaultProvider.class,
      description = {
        "Merge a history file into the database. The file is checked whole first, then read"
            + " again and imported in pieces of "
            + Import.CHUNK
            + " records, each in one transaction holding its key's lock, so a file of any size"
            + " needs bounded memory.",
        "Records that conflict with the history are not signed afterwards: the recorded one is"
            + " kept and the watermark rises over both. Watermarks never go down."
      })
  static final class Import implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin SlashingDbOptions db;

    @Option(names = "--from", required = true, paramLabel = "FILE", description = "Input file.")
    Path from;

    /** Records per transaction. */
    static final int CHUNK = 5000;

    @Override
    public Integer call() {
      // pass 1: the whole file is checked (format, keys, heights) before anything is written
      try (InputStream in = Files.newInputStream(from)) {
        InterchangeJson.stream(in, CHUNK, piece -> {});
      } catch (IOException e) {
        throw new UserException("cannot read " + from + ": " + e.getMessage(), e);
      } catch (SlashingProtectionException e) {
        throw new UserException(from + ": " + e.getMessage() + "; nothing imported", e);
      }
      // pass 2: import piece by piece; a piece can only add protection, never remove any
      int[] sum = new int[5];
      java.util.Set<java.nio.ByteBuffer> keys = new java.util.HashSet<>();
      java.util.List<String> details = new java.util.ArrayList<>();
      try (SlashingProtection sp = db.open();
          InputStream in = Files.newInputStream(from)) {
        InterchangeJson.stream(
            in,
            CHUNK,
            piece -> {
              ImportReport part = sp.importHistory(piece);
              piece.keys().forEach(k -> keys.add(java.nio.ByteBuffer.wrap(k.pubkey())));
              sum[0] += part.imported();
              sum[1] += part.alreadyPresent();
              sum[2] += part.belowWatermark();
              sum[3] += part.conflicts();
              sum[4] += part.watermarksRaised();
              if (details.size() < 20) {
                details.addAll(part.conflictDetails());
              }
            });
      } catch (IOException e) {
        throw new UserException("cannot read " + from + ": " + e.getMessage(), e);
      } catch (SlashingProtectionException e) {
        throw new UserException("import refused: " + e.getMessage(), e);
      }
      ImportReport r =
          new ImportReport(keys.size(), sum[0], sum[1], sum[2], sum[3], sum[4], details);
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "imported %d records for %d keys: %d already present, %d below a watermark,"
              + " %d conflicts, %d watermarks raised%n",
          r.imported(),
          r.keys(),
          r.alreadyPresent(),
          r.belowWatermark(),
          r.conflicts(),
          r.watermarksRaised());
      r.conflictDetails().forEach(d -> out.println("conflict: " + d));
      out.flush();
      return 0;
    }
  }

  /** Deletes history at or below a height, raising the watermark so it can never be signed. */
  @Command(
      name = "prune",
      mixinStandardHelpOptions = true,
      defaultValueProvider = ConfigDefaultProvider.class,
      description =
          "Raise the low watermark of one key, message type and rollup to HEIGHT and delete the"
              + " history at or below it. Nothing at or below it can be signed afterwards.")
  static final class Prune implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin SlashingDbOptions db;

    @Option(
        names = "--public-key",
        required = true,
        paramLabel = "0xKEY",
        description = "The BLS public key (48 bytes).")
    String publicKey;

    @Option(
        names = "--type",
        defaultValue = "FinalityAttestation",
        paramLabel = "TYPE",
        description =
            "FinalityAttestation, OutputVerdict, SlotProposal, SlotAttestation or"
                + " Preconfirmation. Default: ${DEFAULT-VALUE}.")
    String type;

    @Option(names = "--rollup-id", required = true, paramLabel = "ID")
    long rollupId;

    @Option(
        names = "--up-to",
        required = true,
        paramLabel = "HEIGHT",
        description = "Block number, output index or slot (inclusive).")
    BigInteger upTo;

    @Override
    public Integer call() {
      BlsPublicKey pk;
      try {
        pk = BlsPublicKey.fromHex(publicKey);
      } catch (RuntimeException e) {
        throw new UserException("--public-key: " + e.getMessage());
      }
      MessageKind kind = kind(type);
      if (rollupId < 0 || upTo.signum() < 0) {
        throw new UserException("--rollup-id and --up-to must not be negative");
      }
      int deleted;
      try (SlashingProtection sp = db.open()) {
        deleted = sp.prune(pk.toBytes(), kind, rollupId, upTo);
      } catch (SlashingProtectionException e) {
        throw new UserException("prune failed: " + e.getMessage(), e);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "pruned %d records of %s for rollup %d at or below %s%n",
          deleted, kind.typeName(), rollupId, upTo);
      out.flush();
      return 0;
    }

    private static MessageKind kind(String name) {
      for (MessageKind k : MessageKind.values()) {
        if (k.typeName().equalsIgnoreCase(name)
            || k.name().equalsIgnoreCase(name.replace('-', '_').toUpperCase(Locale.ROOT))) {
          return k;
        }
      }
      throw new UserException("--type: unknown message type '" + name + "'");
    }
  }
}
