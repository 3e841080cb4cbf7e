package org.avsnode.operator.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Arrays;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.BlsSignature;
import org.junit.jupiter.api.Test;

class RegistrationDataTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void isTheEip2537KeyFollowedByAVerifyingProofOfPossession() {
    BlsSecretKey sk = BlsSecretKey.random(RANDOM);
    byte[] data = RegistrationData.of(sk).encode();
    assertThat(data).hasSize(384);
    assertThat(Arrays.copyOfRange(data, 0, 128)).isEqualTo(sk.publicKey().toEip2537());
    BlsSignature pop = BlsSignature.fromEip2537(Arrays.copyOfRange(data, 128, 384));
    assertThat(pop).isEqualTo(sk.proofOfPossession());
    assertThat(Bls.verifyProofOfPossession(sk.publicKey(), pop)).isTrue();
    // the PoP is over the compressed key with the POP DST, not a plain signature of it
    assertThat(Bls.verify(sk.publicKey(), sk.publicKey().toBytes(), pop)).isFalse();
    RegistrationData parsed = RegistrationData.parse(data);
    assertThat(parsed.publicKey()).isEqualTo(sk.publicKey());
    assertThat(parsed.encode()).isEqualTo(data);
  }

  @Test
  void parseRejectsWrongLengthsMutationsAndForeignProofs() {
    BlsSecretKey a = BlsSecretKey.random(RANDOM);
    BlsSecretKey b = BlsSecretKey.random(RANDOM);
    byte[] good = RegistrationData.of(a).encode();
    assertThatThrownBy(() -> RegistrationData.parse(Arrays.copyOf(good, 383)))
        .isInstanceOf(RegistrationException.class)
        .hasMessageContaining("384 bytes");
    assertThatThrownBy(() -> RegistrationData.parse(new byte[384]))
        .isInstanceOf(RegistrationException.class);
    byte[] mutated = good.clone();
    mutated[127] ^= 1;
    assertThatThrownBy(() -> RegistrationData.parse(mutated))
        .isInstanceOf(RegistrationException.class);
    byte[] padding = good.clone();
    padding[0] = 1;
    assertThatThrownBy(() -> RegistrationData.parse(padding))
        .isInstanceOf(RegistrationException.class);
    byte[] foreign = good.clone();
    System.arraycopy(b.proofOfPossession().toEip2537(), 0, foreign, 128, 256);
    assertThatThrownBy(() -> RegistrationData.parse(foreign))
        .isInstanceOf(RegistrationException.class)
        .hasMessageContaining("proof of possession");
    BlsPublicKey pk = a.publicKey();
    assertThat(RegistrationData.parse(good).publicKey()).isEqualTo(pk);
  }
}
