package org.avsnode.operator.l2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;

class OutputRootTest {
  @Test
  void isKeccakOfVersionStateRootStorageRootAndBlockHash() {
    byte[] state = filled(1);
    byte[] storage = filled(2);
    byte[] block = filled(3);
    ByteBuffer b = ByteBuffer.allocate(128);
    b.put(new byte[32]).put(state).put(storage).put(block);
    assertThat(OutputRoot.v0(state, storage, block)).isEqualTo(Hash.sha3(b.array()));
    // every input matters, in its place
    assertThat(OutputRoot.v0(storage, state, block))
        .isNotEqualTo(OutputRoot.v0(state, storage, block));
  }

  @Test
  void rejectsWrongLengths() {
    assertThatThrownBy(() -> OutputRoot.v0(new byte[31], filled(1), filled(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stateRoot");
  }

  private static byte[] filled(int v) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) v);
    return b;
  }
}
