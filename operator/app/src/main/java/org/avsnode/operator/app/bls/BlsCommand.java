package org.avsnode.operator.app.bls;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsEncodingException;
import org.avsnode.bls.BlsException;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.keys.SecretFiles;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code operator bls}: BLS12-381 tools for integrators, with the node's ciphersuite ({@value
 * Bls#DST_SIG}; public keys in G1, 48 bytes; signatures in G2, 96 bytes). Messages are hex bytes,
 * signed as they are (the node itself signs EIP-712 digests).
 */
@Command(
    name = "bls",
    mixinStandardHelpOptions = true,
    description = {
      "BLS12-381 tools for integrators: keygen, sign, verify, aggregate, pop.",
      "Ciphersuite " + Bls.DST_SIG + " (public keys in G1, 48 bytes; signatures in G2, 96 bytes).",
      "Keys, messages and signatures are hex (0x prefix optional); secret keys are only read from"
          + " files, never from the command line."
    },
    subcommands = {
      BlsCommand.Keygen.class,
      BlsCommand.Sign.class,
      BlsCommand.Verify.class,
      BlsCommand.Aggregate.class,
      BlsCommand.Pop.class
    })
public final class BlsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: keygen, sign, verify, aggregate or pop");
  }

  /** Maps a decoding failure of a command-line value to a one-line user error. */
  static UserException bad(String what, BlsException e) {
    return new UserException(what + ": " + e.getMessage());
  }

  static BlsPublicKey publicKey(String what, String hex) {
    try {
      return BlsPublicKey.fromBytes(HexArgs.decode(what, hex));
    } catch (BlsEncodingException e) {
      throw bad(what, e);
    }
  }

  static BlsSignature signature(String what, String hex) {
    try {
      return BlsSignature.fromBytes(HexArgs.decode(what, hex));
    } catch (BlsEncodingException e) {
      throw bad(what, e);
    }
  }

  /** {@code bls keygen}: a new random key into a new 0600 file; prints the public key. */
  @Command(
      name = "keygen",
      mixinStandardHelpOptions = true,
      description = {
        "Generate a random secret key, write it to a new file (0x-hex, one line, mode 0600) and"
            + " print the public key.",
        "An existing file is never overwritten. For a node's key, prefer `operator keys create"
            + " --type bls` (an encrypted EIP-2335 keystore)."
      })
  static final class Keygen implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "The new secret key file (must not exist).")
    Path out;

    @Override
    public Integer call() {
      BlsSecretKey key = BlsSecretKey.random(new SecureRandom());
      try {
        byte[] content = SecretKeyFile.encode(key);
        try {
          SecretFiles.writeNewSecretFile(out, content);
        } finally {
          java.util.Arrays.fill(content, (byte) 0);
        }
        PrintWriter o = spec.commandLine().getOut();
        o.println(key.publicKey().toHex());
        o.flush();
        spec.commandLine().getErr().println("secret key written to " + out + " (mode 0600)");
        spec.commandLine().getErr().flush();
        return 0;
      } finally {
        key.destroy();
      }
    }
  }

  /** {@code bls sign}: signs hex bytes with the key in a file. */
  @Command(
      name = "sign",
      mixinStandardHelpOptions = true,
      description = {
        "Sign a message (hex bytes) with the secret key in a file and print the signature.",
        "The key file holds the 32-byte key as 0x-hex on one line and should be readable by its"
            + " owner only (a warning is printed otherwise)."
      })
  static final class Sign implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--secret-key-file",
        required = true,
        paramLabel = "FILE",
        description = "File with the 32-byte secret key as 0x-hex (e.g. from `bls keygen`).")
    Path secretKeyFile;

    @Option(
        names = "--message",
        required = true,
        paramLabel = "HEX",
        description = "The message bytes as hex, e.g. 0xdeadbeef (0x = empty message).")
    String message;

    @Override
    public Integer call() {
      byte[] msg = HexArgs.decode("--message", message);
      BlsSecretKey key = SecretKeyFile.read(secretKeyFile, spec.commandLine().getErr());
      try {
        spec.commandLine().getOut().println(key.sign(msg).toHex());
        spec.commandLine().getOut().flush();
        return 0;
      } finally {
        key.destroy();
      }
    }
  }

  /** {@code bls pop}: the proof of possession of a key, for registration. */
  @Command(
      name = "pop",
      mixinStandardHelpOptions = true,
      description = {
        "Print the proof of possession of the key in a file (hex): a signature over the 48-byte"
            + " public key with DST "
            + Bls.DST_POP
            + ".",
        "Registries ask for it to rule out rogue-key attacks on aggregated signatures."
      })
  static final class Pop implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--secret-key-file",
        required = true,
        paramLabel = "FILE",
        description = "File with the 32-byte secret key as 0x-hex.")
    Path secretKeyFile;

    @Override
    public Integer call() {
      BlsSecretKey key = SecretKeyFile.read(secretKeyFile, spec.commandLine().getErr());
      try {
        PrintWriter o = spec.commandLine().getOut();
        o.println(key.proofOfPossession().toHex());
        o.flush();
        return 0;
      } finally {
        key.destroy();
      }
    }
  }

  /** {@code bls verify}: exit 0 when valid, 1 when not, 2 for malformed input. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Verify a signature over a message (hex bytes). With several public keys (comma-separated"
            + " or repeated), verify an aggregate signature of all of them over the one message"
            + " (FastAggregateVerify).",
        "Prints 'valid' and exits 0, or prints 'invalid' and exits 1; malformed input exits 2."
      },
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {
        "0:the signature is valid",
        "1:the signature is not valid",
        "2:malformed input (bad hex, wrong length, not a curve point)"
      })
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"--public-key", "--public-keys"},
        required = true,
        split = ",",
        paramLabel = "HEX",
        description = "The signer's 48-byte public key; several for an aggregate signature.")
    List<String> publicKeys;

    @Option(names = "--message", required = true, paramLabel = "HEX", description = "The message.")
    String message;

    @Option(
        names = "--signature",
        required = true,
        paramLabel = "HEX",
        description = "The 96-byte signature.")
    String signature;

    @Override
    public Integer call() {
      requireValues("--public-key", publicKeys);
      List<BlsPublicKey> keys = new ArrayList<>();
      for (String k : publicKeys) {
        keys.add(publicKey("--public-key", k));
      }
      byte[] msg = HexArgs.decode("--message", message);
      BlsSignature sig = signature("--signature", signature);
      boolean ok =
          keys.size() == 1
              ? Bls.verify(keys.get(0), msg, sig)
              : Bls.fastAggregateVerify(keys, msg, sig);
      spec.commandLine().getOut().println(ok ? "valid" : "invalid");
      spec.commandLine().getOut().flush();
      return ok ? 0 : 1;
    }
  }

  /** {@code bls aggregate}: sums signatures or public keys. */
  @Command(
      name = "aggregate",
      mixinStandardHelpOptions = true,
      description = {
        "Aggregate signatures (G2) or public keys (G1) and print the result.",
        "Aggregating public keys is safe only for keys registered with a proof of possession."
      })
  static final class Aggregate implements Callable<Integer> {
    @Spec CommandSpec spec;

    static final class What {
      @Option(
          names = "--signatures",
          split = ",",
          paramLabel = "HEX",
          required = true,
          description = "Signatures to aggregate (comma-separated or repeated).")
      List<String> signatures;

      @Option(
          names = "--public-keys",
          split = ",",
          paramLabel = "HEX",
          required = true,
          description = "Public keys to aggregate (comma-separated or repeated).")
      List<String> publicKeys;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    @Override
    public Integer call() {
      String result;
      if (what.signatures != null) {
        requireValues("--signatures", what.signatures);
        List<BlsSignature> sigs = new ArrayList<>();
        for (String s : what.signatures) {
          sigs.add(signature("--signatures", s));
        }
        result = BlsSignature.aggregate(sigs).toHex();
      } else {
        requireValues("--public-keys", what.publicKeys);
        List<BlsPublicKey> keys = new ArrayList<>();
        for (String k : what.publicKeys) {
          keys.add(publicKey("--public-keys", k));
        }
        try {
          result = BlsPublicKey.aggregate(keys).toHex();
        } catch (BlsException e) {
          // keys that sum to the identity (e.g. k and -k): not a usable key
          throw new UserException("--public-keys: cannot aggregate: " + e.getMessage());
        }
      }
      spec.commandLine().getOut().println(result);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  /**
   * A list option must hold at least one value and no empty ones ({@code ",,"} splits into nothing,
   * which would otherwise aggregate nothing or verify against no key).
   */
  static void requireValues(String option, List<String> values) {
    if (values == null || values.isEmpty()) {
      throw new UserException(option + ": no values (one or more hex values, comma-separated)");
    }
    for (String v : values) {
      if (v == null || v.isBlank()) {
        throw new UserException(option + ": an empty value in the list");
      }
    }
  }
}
