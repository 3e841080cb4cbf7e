package org.avsnode.operator.keys;

import java.nio.file.Path;
import java.util.Objects;

/** A keystore file and the file that holds its password. */
public record KeystoreRef(Path keystoreFile, Path passwordFile) {
  public KeystoreRef {
    Objects.requireNonNull(keystoreFile, "keystoreFile");
    Objects.requireNonNull(passwordFile, "passwordFile");
  }
}
