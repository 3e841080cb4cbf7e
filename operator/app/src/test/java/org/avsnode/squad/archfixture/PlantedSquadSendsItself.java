package org.avsnode.squad.archfixture;

import org.web3j.crypto.Credentials;

/** Test-only: a duty that loads an ECDSA key to send its own transactions (forbidden). */
public final class PlantedSquadSendsItself {
  private PlantedSquadSendsItself() {}

  static String address(String privateKeyHex) {
    return Credentials.create(privateKeyHex).getAddress();
  }
}
