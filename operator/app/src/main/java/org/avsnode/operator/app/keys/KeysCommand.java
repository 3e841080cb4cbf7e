package org.avsnode.operator.app.keys;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.keystore.Eip2335Keystore;
import org.avsnode.bls.keystore.KeystoreException;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.app.bls.SecretKeyFile;
import org.avsnode.operator.app.config.ConfigSupport;
import org.avsnode.operator.keys.SecretFiles;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.WalletFile;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code operator keys}: the node's keystores in one directory ({@code --keys-dir}, by default
 * {@code <data-path>/keys}, mode 0700): BLS keys as EIP-2335 keystores ({@code bls-<pubkey>.json}),
 * ECDSA keys as V3 keystores ({@code ecdsa-<address>.json}), each mode 0600. Passwords come from a
 * file or an environment variable, never from the command line; no key material is ever printed.
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = {
      "Manage the node's keystores: BLS keys (EIP-2335) and ECDSA keys (Ethereum V3).",
      "Keystores live in --keys-dir (default <data-path>/keys, mode 0700), one file each (mode"
          + " 0600). Passwords come from --password-file or --password-env, never from the"
          + " command line."
    },
    subcommands = {KeysCommand.Create.class, KeysCommand.Import.class, KeysCommand.ListKeys.class})
public final class KeysCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: create, import or list");
  }

  /** The kind of key. */
  public enum KeyType {
    bls,
    ecdsa
  }

  /** The key derivation function of a new keystore. */
  public enum KdfChoice {
    scrypt,
    pbkdf2
  }

  static String fileName(KeyType type, String id) {
    String hex = id.startsWith("0x") ? id.substring(2) : id;
    return type + "-" + hex.toLowerCase(Locale.ROOT) + ".json";
  }

  /** Prints the one-line summary shared by create, import and list. */
  static void printKey(PrintWriter out, String type, String id, Path path) {
    out.printf("%-6s %s %s%n", type, id, path);
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Writes a BLS keystore for {@code key} and prints its line. */
  public static Path storeBls(
      CommandSpec spec, Path dir, BlsSecretKey key, String password, KdfChoice kdf) {
    SecretFiles.warnIfLoose(dir, "keys directory", spec.commandLine().getErr());
    Path target = dir.resolve(fileName(KeyType.bls, key.publicKey().toHex()));
    refuseExisting(target);
    Eip2335Keystore ks =
        Eip2335Keystore.encrypt(
            key,
            password,
            kdf == KdfChoice.pbkdf2 ? Eip2335Keystore.Kdf.PBKDF2 : Eip2335Keystore.Kdf.SCRYPT,
            "",
            "AVS operator BLS key",
            RANDOM);
    SecretFiles.writeNewSecretFile(target, ks.toJson().getBytes(StandardCharsets.UTF_8));
    printKey(spec.commandLine().getOut(), "bls", key.publicKey().toHex(), target);
    return target;
  }

  /** Writes a V3 keystore for {@code key} and prints its line. */
  public static Path storeEcdsa(CommandSpec spec, Path dir, ECKeyPair key, String password) {
    SecretFiles.warnIfLoose(dir, "keys directory", spec.commandLine().getErr());
    String address = EcdsaKeystore.address(key);
    Path target = dir.resolve(fileName(KeyType.ecdsa, address));
    refuseExisting(target);
    String json = EcdsaKeystore.create(key, password);
    SecretFiles.writeNewSecretFile(target, json.getBytes(StandardCharsets.UTF_8));
    printKey(spec.commandLine().getOut(), "ecdsa", address, target);
    return target;
  }

  private static void refuseExisting(Path target) {
    if (Files.exists(target)) {
      throw new UserException("a keystore for this key already exists: " + target);
    }
  }

  static void checkKdf(KeyType type, KdfChoice kdf) {
    if (type == KeyType.ecdsa && kdf == KdfChoice.pbkdf2) {
      throw new UserException(
          "--kdf pbkdf2 is for BLS keystores; ECDSA keystores use the standard scrypt");
    }
  }

  /** The shortest password a new keystore accepts. */
  public static final int MIN_NEW_PASSWORD_LENGTH = 8;

  static final int MAX_KEYSTORE_BYTES = 1 << 20;

  static String newPassword(PasswordOptions p, CommandSpec spec) {
    String password = p.read(ConfigSupport.environment(spec), spec.commandLine().getErr());
    if (password.codePointCount(0, password.length()) < MIN_NEW_PASSWORD_LENGTH) {
      throw new UserException(
          "the password from "
              + p.source()
              + " is too short for a new keystore (at least "
              + MIN_NEW_PASSWORD_LENGTH
              + " characters)");
    }
    return password;
  }

  /** {@code keys create}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      defaultValueProvider = KeysConfigProvider.class,
      description = {
        "Create a new random key in a new keystore in the keys directory and print its type,"
            + " public key (BLS) or address (ECDSA), and path.",
        "BLS: EIP-2335, scrypt (n=262144, r=8, p=1) or --kdf pbkdf2 (c=262144, hmac-sha256)."
            + " ECDSA: V3 keystore, scrypt (n=262144, r=8, p=1)."
      })
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin KeysDirOptions dir;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "bls or ecdsa.")
    KeyType type;

    @Option(
        names = "--kdf",
        paramLabel = "KDF",
        defaultValue = "scrypt",
        description =
            "Key derivation for a BLS keystore: scrypt or pbkdf2. Default: ${DEFAULT-VALUE}.")
    KdfChoice kdf;

    @ArgGroup(exclusive = true, multiplicity = "1")
    PasswordOptions password;

    @Override
    public Integer call() {
      Path keysDir = dir.keysDir();
      checkKdf(type, kdf);
      String pw = newPassword(password, spec);
      SecretFiles.ensurePrivateDirectory(keysDir);
      if (type == KeyType.bls) {
        BlsSecretKey key = BlsSecretKey.random(RANDOM);
        try {
          storeBls(spec, keysDir, key, pw, kdf);
        } finally {
          key.destroy();
        }
      } else {
        try {
          storeEcdsa(spec, keysDir, Keys.createEcKeyPair(RANDOM), pw);
        } catch (java.security.GeneralSecurityException e) {
          throw new IllegalStateException("cannot generate a secp256k1 key", e);
        }
      }
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  /** {@code keys import}. */
  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      defaultValueProvider = KeysConfigProvider.class,
      description = {
        "Import a key into the keys directory: an existing keystore (--keystore-file: checked"
            + " with its password, then copied unchanged) or a raw secret key (--secret-key-file:"
            + " one line of 0x-hex, encrypted into a new keystore with the password).",
        "Delete the raw secret key file afterwards: the keystore replaces it."
      })
  static final class Import implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin KeysDirOptions dir;

    @Option(
        names = "--type",
        required = true,
        paramLabel = "TYPE",
        description = "bls (EIP-2335) or ecdsa (V3).")
    KeyType type;

    static final class Source {
      @Option(
          names = "--keystore-file",
          required = true,
          paramLabel = "FILE",
          description = "An existing keystore to import (its password is --password-*).")
      Path keystoreFile;

      @Option(
          names = "--secret-key-file",
          required = true,
          paramLabel = "FILE",
          description = "A file with the 32-byte secret key as 0x-hex on one line.")
      Path secretKeyFile;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(
        names = "--kdf",
        paramLabel = "KDF",
        defaultValue = "scrypt",
        description =
            "With --secret-key-file and --type bls: scrypt or pbkdf2. Default: ${DEFAULT-VALUE}.")
    KdfChoice kdf;

    @ArgGroup(exclusive = true, multiplicity = "1")
    PasswordOptions password;

    @Override
    public Integer call() {
      Path keysDir = dir.keysDir();
      checkKdf(type, kdf);
      if (source.keystoreFile != null) {
        importKeystore(keysDir);
      } else {
        importSecret(keysDir);
      }
      spec.commandLine().getOut().flush();
      return 0;
    }

    private void importKeystore(Path keysDir) {
      Path file = source.keystoreFile;
      String what = "keystore " + file;
      try {
        if (Files.size(file) > MAX_KEYSTORE_BYTES) {
          throw new UserException(what + " is too large for a keystore");
        }
      } catch (IOException e) {
        // reported by the read below
      }
      byte[] bytes = SecretFiles.read(file, "keystore");
      String json = new String(bytes, StandardCharsets.UTF_8);
      String pw = password.read(ConfigSupport.environment(spec), spec.commandLine().getErr());
      Path target;
      String id;
      if (type == KeyType.bls) {
        Eip2335Keystore ks;
        BlsSecretKey key;
        try {
          ks = Eip2335Keystore.parse(json);
          key = ks.decrypt(pw);
        } catch (KeystoreException e) {
          throw new UserException(what + ": " + e.getMessage());
        }
        try {
          id = key.publicKey().toHex();
        } finally {
          key.destroy();
        }
        target = keysDir.resolve(fileName(KeyType.bls, id));
      } else {
        WalletFile w = EcdsaKeystore.parse(what, json);
        id = EcdsaKeystore.address(EcdsaKeystore.decrypt(what, w, pw));
        target = keysDir.resolve(fileName(KeyType.ecdsa, id));
      }
      refuseExisting(target);
      SecretFiles.ensurePrivateDirectory(keysDir);
      SecretFiles.warnIfLoose(keysDir, "keys directory", spec.commandLine().getErr());
      SecretFiles.writeNewSecretFile(target, bytes);
      printKey(spec.commandLine().getOut(), type.name(), id, target);
    }

    private void importSecret(Path keysDir) {
      Path file = source.secretKeyFile;
      if (type == KeyType.bls) {
        BlsSecretKey key = SecretKeyFile.read(file, spec.commandLine().getErr());
        try {
          String pw = newPassword(password, spec);
          SecretFiles.ensurePrivateDirectory(keysDir);
          storeBls(spec, keysDir, key, pw, kdf);
        } finally {
          key.destroy();
        }
      } else {
        ECKeyPair key;
        byte[] raw = SecretKeyFile.readRaw(file, spec.commandLine().getErr());
        try {
          key = EcdsaKeystore.fromPrivateKey(raw);
        } catch (UserException e) {
          throw new UserException("secret key file " + file + ": " + e.getMessage());
        } finally {
          Arrays.fill(raw, (byte) 0);
        }
        String pw = newPassword(password, spec);
        SecretFiles.ensurePrivateDirectory(keysDir);
        storeEcdsa(spec, keysDir, key, pw);
      }
    }
  }

  /** {@code keys list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      defaultValueProvider = KeysConfigProvider.class,
      description = {
        "List the keystores in the keys directory: type, public key (BLS) or address (ECDSA),"
            + " path. Nothing is decrypted; no password is needed."
      })
  static final class ListKeys implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin KeysDirOptions dir;

    @Override
    public Integer call() {
      Path keysDir = dir.keysDir();
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      List<Path> files = new ArrayList<>();
      try (Stream<Path> s = Files.list(keysDir)) {
        s.filter(p -> p.getFileName().toString().endsWith(".json"))
            .filter(Files::isRegularFile)
            .sorted()
            .forEach(files::add);
      } catch (NoSuchFileException e) {
        err.println("no keystores: " + keysDir + " does not exist");
        err.flush();
        return 0;
      } catch (IOException e) {
        throw new UserException("cannot list " + keysDir + ": " + e.getMessage(), e);
      }
      SecretFiles.warnIfLoose(keysDir, "keys directory", err);
      int shown = 0;
      for (Path f : files) {
        String[] entry = describe(f, err);
        if (entry != null) {
          printKey(out, entry[0], entry[1], f);
          shown++;
          SecretFiles.warnIfLoose(f, "keystore", err);
        }
      }
      if (shown == 0) {
        err.println("no keystores in " + keysDir);
      }
      out.flush();
      err.flush();
      return 0;
    }

    /** {type, id} of a keystore file, or null (with a note on err) if it is not one. */
    private static String[] describe(Path f, PrintWriter err) {
      try {
        if (Files.size(f) > MAX_KEYSTORE_BYTES) {
          err.println("skipped " + f + ": too large for a keystore");
          return null;
        }
        String json = Files.readString(f, StandardCharsets.UTF_8);
        JsonNode node = EcdsaKeystore.JSON.readTree(json);
        int version = node == null ? -1 : node.path("version").asInt(-1);
        if (version == 4) {
          Eip2335Keystore ks = Eip2335Keystore.parse(json);
          return new String[] {
            "bls", ks.publicKey().map(BlsPublicKey::toHex).orElse("(no pubkey recorded)")
          };
        }
        if (version == 3) {
          return new String[] {
            "ecdsa", EcdsaKeystore.address(EcdsaKeystore.parse(f.toString(), json))
          };
        }
        err.println("skipped " + f + ": not a version 3 or 4 keystore");
      } catch (IOException | RuntimeException e) {
        err.println("skipped " + f + ": not a readable keystore");
      }
      return null;
    }
  }
}
