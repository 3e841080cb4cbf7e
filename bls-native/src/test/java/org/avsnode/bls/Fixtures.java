package org.avsnode.bls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic keys and same-message signatures for tests. */
final class Fixtures {
  private Fixtures() {}

  record Set(
      byte[] message,
      List<BlsSecretKey> secretKeys,
      List<BlsPublicKey> publicKeys,
      List<BlsSignature> signatures) {
    BlsSignature wrongSignature(int i) {
      return secretKeys.get(i).sign("not the message".getBytes(StandardCharsets.UTF_8));
    }
  }

  static Set sameMessage(int n, long seed) {
    Random rnd = new Random(seed);
    byte[] message = new byte[32];
    rnd.nextBytes(message);
    List<BlsSecretKey> sks = new ArrayList<>(n);
    List<BlsPublicKey> pks = new ArrayList<>(n);
    List<BlsSignature> sigs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] ikm = new byte[32];
      rnd.nextBytes(ikm);
      BlsSecretKey sk = BlsSecretKey.keyGen(ikm);
      sks.add(sk);
      pks.add(sk.publicKey());
      sigs.add(sk.sign(message));
    }
    return new Set(message, sks, pks, sigs);
  }
}
